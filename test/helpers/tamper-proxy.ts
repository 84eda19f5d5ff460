import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse, stringify } from 'lossless-json';

/** Rewrites the JSON body a vendor answered for one request path; return undefined to pass it on unchanged. */
export type Tamper = (path: string, body: any) => unknown;

export interface TamperProxy {
  readonly url: string;
  /** The rewrite applied from now on (none: every answer passes through as it is). */
  tamper: Tamper | null;
  /** Request paths (with query) the proxy forwarded. */
  readonly paths: string[];
  close(): Promise<void>;
}

/**
 * A hostile vendor made from an honest one: a real HTTP server on 127.0.0.1 that forwards each
 * request to a simulator and may rewrite the JSON it answers (a row of another account, a row
 * listed twice). Bodies are read losslessly (numbers stay `LosslessNumber`s, written back digit
 * for digit), so an answer passes through with its big amounts intact.
 */
export async function startTamperProxy(target: string): Promise<TamperProxy> {
  const proxy: TamperProxy & { paths: string[] } = {
    url: '',
    tamper: null,
    paths: [],
    close: async () => undefined,
  };
  const server = createServer(async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    proxy.paths.push(request.url ?? '/');
    const headers = Object.fromEntries(
      Object.entries(request.headers).filter(
        (entry): entry is [string, string] =>
          typeof entry[1] === 'string' &&
          !['host', 'accept-encoding', 'connection', 'content-length'].includes(entry[0]),
      ),
    );
    const upstream = await fetch(`${target}${request.url}`, {
      method: request.method,
      headers,
      body: chunks.length > 0 ? Buffer.concat(chunks) : undefined,
    });
    let text = await upstream.text();
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    if (proxy.tamper && upstream.ok) {
      const changed = proxy.tamper(path, parse(text));
      if (changed !== undefined) text = stringify(changed) ?? text;
    }
    response.writeHead(upstream.status, { 'content-type': 'application/json' }).end(text);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return Object.assign(proxy, {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  });
}
