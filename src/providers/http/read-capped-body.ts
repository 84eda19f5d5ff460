import type { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import type { Dispatcher } from 'undici';
import { SourceError, type SourceFailureCause } from '../../errors.ts';
import type { HttpResponse } from './types.ts';

/**
 * Reads a vendor response whole, decompressed (gzip, deflate, br: what the client asks for) and
 * never larger than `limit` bytes after decompression: a declared content-length over the cap is
 * refused before reading, a body growing past it (a gzip bomb) is cut there. An encoding the
 * client did not ask for, a body that does not decompress or one over the cap is
 * SOURCE_BAD_RESPONSE, not retryable (the body is the same on every try).
 */
export async function readCappedBody(
  response: Dispatcher.ResponseData,
  limit: number,
  source: string,
): Promise<HttpResponse> {
  const declared = Number(response.headers['content-length'] ?? 0);
  if (declared > limit) {
    discard(response.body);
    throw oversize(source, limit);
  }
  const encoding = String(response.headers['content-encoding'] ?? 'identity')
    .trim()
    .toLowerCase();
  const decoder = decompressorFor(encoding);
  if (decoder === undefined) {
    discard(response.body);
    throw badResponse(source, 'a body in an encoding the gateway did not ask for');
  }
  // The cap counts decoded bytes, so a small compressed body cannot expand past it (a zip bomb).
  const decoded: Readable = decoder === null ? response.body : pipeline(response.body, decoder, () => {});
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of decoded) {
      size += (chunk as Buffer).length;
      if (size > limit) throw oversize(source, limit);
      chunks.push(chunk as Buffer);
    }
  } catch (error) {
    discard(decoded);
    discard(response.body);
    // zlib's codes are Z_*, brotli's ERR__ERROR_* / ERR_BROTLI*: a body that does not decompress.
    if (
      typeof (error as { code?: unknown }).code === 'string' &&
      /^(Z_|ERR__ERROR_|ERR_BROTLI)/.test((error as { code: string }).code)
    ) {
      throw badResponse(source, 'a compressed body that does not decompress');
    }
    throw error;
  }
  return { status: response.statusCode, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') };
}

/** Drops a body we will not read; undici's body reports its own abort as an error, which must not go unhandled. */
function discard(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}

/** The decoder of a response's content-encoding: null for none, undefined for one we never asked for. */
function decompressorFor(encoding: string): Transform | null | undefined {
  if (encoding === 'identity' || encoding === '') return null;
  if (encoding === 'gzip' || encoding === 'x-gzip') return createGunzip();
  if (encoding === 'deflate') return createInflate();
  if (encoding === 'br') return createBrotliDecompress();
  return undefined;
}

function badResponse(source: string, what: string, failureCause: SourceFailureCause = 'bad_body'): SourceError {
  return new SourceError('SOURCE_BAD_RESPONSE', `source "${source}" sent ${what}`, {
    source,
    retryable: false,
    failureCause,
  });
}

function oversize(source: string, limit: number): SourceError {
  return badResponse(source, `a response larger than the gateway accepts (${limit} bytes)`, 'body_too_large');
}
