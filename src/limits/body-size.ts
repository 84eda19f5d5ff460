import type { Plugin } from 'graphql-yoga';
import { LimitExceededError } from '../errors.ts';

const tooLarge = (maxBytes: number) => new LimitExceededError('bodySize', `the request is larger than ${maxBytes} bytes; the limit is ${maxBytes}`, 413);

/**
 * Refuses a request body over `maxBytes` (413) before yoga parses it, whether it declares its
 * length or arrives chunked: the body is read through a counter that stops at the limit. A GET's
 * URL is held to the same limit.
 */
export function useBodySizeLimit(maxBytes: number): Plugin {
  return {
    onRequestParse({ request, url, requestParser, setRequestParser }) {
      if (request.method === 'GET' || request.method === 'HEAD') {
        if (url.href.length > maxBytes) throw tooLarge(maxBytes);
        return;
      }
      if (Number(request.headers.get('content-length') ?? 0) > maxBytes) throw tooLarge(maxBytes);
      if (!requestParser || request.body === null) return;
      setRequestParser(async (incoming) => requestParser(new Request(incoming.url, { method: incoming.method, headers: incoming.headers, body: await readCapped(incoming, maxBytes) })));
    },
  };
}

/** The whole body, or a 413 as soon as it passes `maxBytes` (the rest is not read). */
async function readCapped(request: Request, maxBytes: number): Promise<Uint8Array<ArrayBuffer>> {
  const reader = (request.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}
