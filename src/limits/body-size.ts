import { IncomingMessage } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import { LimitExceededError } from '../errors.ts';

/**
 * A 413 that also ends the connection: the rest of the body is never read, so the socket cannot
 * carry another request, and keeping it open would let a client that never stops sending hold it.
 */
function tooLarge(message: string): LimitExceededError {
  // Yoga copies `extensions.http.headers` onto the response (and strips `http` from the body).
  return new LimitExceededError('bodySize', message, 413, { connection: 'close' });
}

/**
 * Refuses a request over `maxBytes` with 413 before yoga parses it: a POST declaring a larger
 * `content-length` at once, one without it (chunked) as soon as the bytes read pass the limit (the
 * body is read through a counter; the rest is never buffered), and a GET whose query string is
 * larger. `onRequestParse` runs for GraphQL requests only, before the body is read, and the same
 * way under `yoga.fetch` and `node:http`'s `createServer(yoga)`.
 *
 * Over `node:http`, a declared `content-length` within the limit is left to yoga's own parser:
 * Node's HTTP parser reads exactly that many bytes as the body (more are a next request, and
 * `content-length` with `transfer-encoding` is refused with 400 before yoga sees it), so the
 * body cannot pass the limit. Reading it through the counter copied the request and wrapped its
 * body in web streams that, held while the request waited on vendors, were promoted to V8's old
 * generation: 1.37 → 1.04 MB promoted per young GC on the list under wrk (issue 14).
 */
export function useBodySizeLimit(maxBytes: number): Plugin {
  return {
    onRequestParse({ request, url, requestParser, setRequestParser, serverContext, fetchAPI }) {
      if (request.method === 'GET' || request.method === 'HEAD') {
        // Percent-encoded: one character is one byte.
        if (url.search.length > maxBytes)
          throw tooLarge(`the request's query string is ${url.search.length} bytes; the limit is ${maxBytes}`);
        return;
      }
      const length = request.headers.get('content-length');
      const declared = Number(length ?? 0);
      if (declared > maxBytes) throw tooLarge(`the request body is ${declared} bytes; the limit is ${maxBytes}`);
      // Before `request.body`, which builds the body's stream.
      if (length !== null && (serverContext as { req?: unknown }).req instanceof IncomingMessage) return;
      if (!requestParser || request.body === null) return;
      setRequestParser(async (incoming) =>
        requestParser(
          // No signal: the parser reads a body already in memory, and the request's own signal stays on it.
          // yoga's own Request class, not the global one: Node's global Request registers the signal
          // it is given in a FinalizationRegistry, which kept every request's signal, its listeners
          // and the objects they hold alive past the answer, into V8's old generation (issue 14).
          new fetchAPI.Request(incoming.url, {
            method: incoming.method,
            headers: incoming.headers,
            body: await readCapped(incoming, maxBytes),
          }),
        ),
      );
    },
  };
}

/** The whole body, or a 413 as soon as it passes `maxBytes` (a lying `content-length` included). */
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
      throw tooLarge(`the request body is over ${maxBytes} bytes; the limit is ${maxBytes}`);
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
