import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A vendor that holds every request until the test lets it go: a real HTTP server on 127.0.0.1 in
 * front of a real simulator (`target`), forwarding each held request to it on `release()`. It makes
 * "every slot is busy" a state the test controls instead of a matter of timing.
 */
export interface HeldVendor {
  readonly url: string;
  /** Requests received since start. */
  readonly calls: number;
  /** Requests waiting for `release()`. */
  readonly held: number;
  /** Forwards every held request to the target and sends its answer back; later requests pass at once when `open`. */
  release(options?: { open?: boolean }): Promise<void>;
  /** Resolves once at least `count` requests are held. */
  waitForHeld(count: number): Promise<void>;
  close(): Promise<void>;
}

export async function startHeldVendor(target: string): Promise<HeldVendor> {
  const held: Array<() => Promise<void>> = [];
  let calls = 0;
  let open = false;
  const forward = async (request: IncomingMessage, response: ServerResponse, body: Buffer) => {
    const answer = await fetch(`${target}${request.url}`, {
      method: request.method,
      headers: Object.fromEntries(
        Object.entries(request.headers).filter(
          (entry): entry is [string, string] => typeof entry[1] === 'string' && entry[0] !== 'host',
        ),
      ),
      body: request.method === 'GET' || request.method === 'HEAD' ? undefined : new Uint8Array(body),
    });
    const text = await answer.text();
    response.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    response.end(text);
  };
  const server = createServer((request, response) => {
    calls += 1;
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const go = () => forward(request, response, Buffer.concat(chunks));
      if (open) void go();
      else held.push(go);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get calls() {
      return calls;
    },
    get held() {
      return held.length;
    },
    async release(options = {}) {
      open = options.open ?? false;
      await Promise.all(held.splice(0).map((go) => go()));
    },
    async waitForHeld(count) {
      for (let tries = 0; held.length < count; tries += 1) {
        if (tries > 1000) throw new Error(`the vendor holds ${held.length} requests, expected ${count}`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async close() {
      await Promise.all(held.splice(0).map((go) => go()));
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
