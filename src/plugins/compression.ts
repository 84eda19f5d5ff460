import { promisify } from 'node:util';
import { brotliCompress, constants, gzip } from 'node:zlib';
import type { Plugin } from 'graphql-yoga';

export interface CompressionOptions {
  /** Bodies shorter than this go out as they are: compressing them costs more than it saves. Default 1024. */
  readonly thresholdBytes?: number;
}

type Encoding = 'br' | 'gzip';

const compressors: Record<Encoding, (body: Uint8Array) => Promise<Buffer>> = {
  // Quality 5: most of brotli's gain over gzip at gzip's speed; 11 takes seconds on the GraphiQL page.
  br: (body) =>
    promisify(brotliCompress)(body, {
      params: {
        [constants.BROTLI_PARAM_QUALITY]: 5,
        [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
        [constants.BROTLI_PARAM_SIZE_HINT]: body.byteLength,
      },
    }),
  gzip: (body) => promisify(gzip)(body, { level: 6 }),
};

/**
 * Streams whose parts must reach the client as they are made: a compressor would hold them back
 * (graphql-sse, subscriptions over SSE, `@defer`/`@stream` multipart).
 */
const STREAMED = /^(?:text\/event-stream|multipart\/)/i;

/**
 * Compresses answers (br or gzip, by the request's `accept-encoding` and its q-values) once they
 * reach `thresholdBytes`: the GraphiQL page (9 MB of bundled JavaScript, ~1 MB compressed), the
 * SDL and large GraphQL results. Never a streamed answer, nor one already encoded. Every answer
 * that could have been compressed carries `Vary: accept-encoding`, so a cache keeps the variants
 * apart. The compressed bytes of the last HTML page are kept: the GraphiQL page is the same for
 * every browser, and is compressed once per encoding, not once per visit.
 *
 * Our own plugin on Node's zlib rather than @whatwg-node/server's `useContentEncoding`: that one
 * compresses every body, event streams included, with no threshold, takes the first listed
 * encoding without q-values, and decompresses request bodies (a way around the body-size limit).
 */
export function useCompression(options: CompressionOptions = {}): Plugin {
  const threshold = options.thresholdBytes ?? 1024;
  const page: { source?: Uint8Array; encoded: Partial<Record<Encoding, Buffer>> } = { encoded: {} };
  const compress = async (encoding: Encoding, body: Uint8Array, html: boolean) => {
    if (!html) return compressors[encoding](body);
    if (page.source === undefined || !Buffer.from(page.source).equals(body)) {
      page.source = body;
      page.encoded = {};
    }
    page.encoded[encoding] ??= await compressors[encoding](body);
    return page.encoded[encoding];
  };
  return {
    async onResponse({ request, response, setResponse, fetchAPI }) {
      const type = response.headers.get('content-type') ?? '';
      if (response.body === null || STREAMED.test(type) || response.headers.has('content-encoding')) return;
      if (request.method === 'HEAD' || response.status === 204 || response.status === 304) return;
      const encoding = chooseEncoding(request.headers.get('accept-encoding'));
      const length = Number(response.headers.get('content-length') ?? Number.NaN);
      // The common small answer: its length is known and below the threshold, so it is not copied.
      if (encoding === null || length < threshold) {
        appendVary(response.headers);
        return;
      }
      const headers = new fetchAPI.Headers(response.headers);
      appendVary(headers);
      const body = new Uint8Array(await response.arrayBuffer());
      let sent: Uint8Array = body;
      if (body.byteLength >= threshold) {
        const compressed = await compress(encoding, body, type.startsWith('text/html'));
        if (compressed.byteLength < body.byteLength) {
          sent = compressed;
          headers.set('content-encoding', encoding);
        }
      }
      headers.set('content-length', String(sent.byteLength));
      setResponse(
        new fetchAPI.Response(sent as Uint8Array<ArrayBuffer>, {
          status: response.status,
          statusText: response.statusText,
          headers,
        }),
      );
    },
  };
}

function appendVary(headers: Headers): void {
  const vary = headers.get('vary');
  if (vary === null) headers.set('vary', 'accept-encoding');
  else if (!/(^|,)\s*(accept-encoding|\*)\s*(,|$)/i.test(vary)) headers.set('vary', `${vary}, accept-encoding`);
}

/**
 * RFC 9110 §12.5.3: the coding with the highest q-value, br before gzip on a tie; `*` stands for
 * any coding not named; `q=0` refuses one. Null when neither is acceptable (identity is sent).
 */
export function chooseEncoding(header: string | null): Encoding | null {
  if (header === null) return null;
  const weights = new Map<string, number>();
  for (const part of header.split(',')) {
    const [name = '', ...parameters] = part.split(';').map((piece) => piece.trim().toLowerCase());
    const q = parameters.find((parameter) => parameter.startsWith('q='));
    const weight = q === undefined ? 1 : Number(q.slice(2));
    if (name !== '' && Number.isFinite(weight)) weights.set(name, weight);
  }
  const weightOf = (encoding: Encoding) => weights.get(encoding) ?? weights.get('*') ?? 0;
  const best = (['br', 'gzip'] as const).reduce((a, b) => (weightOf(b) > weightOf(a) ? b : a));
  return weightOf(best) > 0 ? best : null;
}
