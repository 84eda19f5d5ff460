import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../src/errors.ts';
import {
  createSourceTransport,
  DEFAULT_TRANSPORT,
  HttpClient,
  type HttpClientOptions,
} from '../../src/providers/http/index.ts';

interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

interface TestServer {
  port: number;
  baseUrl: string;
  received: Received[];
  /** TCP connections the server accepted. */
  connections: () => number;
}

type Handler = (request: IncomingMessage, response: ServerResponse, index: number) => void;

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** A real HTTP server on 127.0.0.1 and a free port; it records every request and counts sockets. */
async function startServer(handler: Handler): Promise<TestServer> {
  const received: Received[] = [];
  let connections = 0;
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      received.push({
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString(),
      });
      handler(request, response, received.length - 1);
    });
  });
  server.on('connection', () => {
    connections += 1;
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  cleanups.push(
    () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  return { port, baseUrl: `http://127.0.0.1:${port}/api/ledger`, received, connections: () => connections };
}

/** Client options with a response size cap. */
function capped(maxResponseBytes: number): Partial<HttpClientOptions> {
  return { transport: createSourceTransport('test', { ...DEFAULT_TRANSPORT, maxResponseBytes }) };
}

function client(server: { baseUrl: string }, options: Partial<HttpClientOptions> = {}): HttpClient {
  const http = new HttpClient({ source: 'acme', baseUrl: server.baseUrl, timeoutMs: 300, ...options });
  cleanups.push(() => http.close());
  return http;
}

function json(response: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json', ...headers });
  response.end(body);
}

/** Runs `call` and returns the SourceError it must fail with. */
async function failure(call: Promise<unknown>): Promise<SourceError> {
  const error = await call.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SourceError);
  return error as SourceError;
}

describe('HttpClient: what it sends', () => {
  it('sends the path below the base path, the query, the caller headers and the credentials', async () => {
    const server = await startServer((_request, response) => json(response, 200, '{"ok":true}'));
    const http = client(server, { authorize: () => ({ authorization: 'Bearer t0ken' }) });
    const response = await http.json({
      method: 'GET',
      path: '/v2/main/accounts',
      query: {
        pageSize: 15,
        address: 'users:001',
        cursor: undefined,
        expand: ['volumes', 'effectiveVolumes'],
        empty: null,
      },
      headers: { 'formance-bigint-as-string': 'true' },
    });
    expect(response).toMatchObject({ status: 200 });
    const [sent] = server.received;
    expect(sent?.method).toBe('GET');
    expect(sent?.url).toBe(
      '/api/ledger/v2/main/accounts?pageSize=15&address=users%3A001&expand=volumes&expand=effectiveVolumes',
    );
    expect(sent?.headers).toMatchObject({
      accept: 'application/json',
      authorization: 'Bearer t0ken',
      'formance-bigint-as-string': 'true',
    });
  });

  it('sends a JSON or a form body with its content type', async () => {
    const server = await startServer((_request, response) => json(response, 200, '{}'));
    const http = client(server);
    await http.send({ method: 'POST', path: '/balances/filter', body: { json: { filters: [], limit: 100 } } });
    await http.send({ method: 'POST', path: '/account/top-up', body: { form: { trx: 'a b&c' } } });
    expect(server.received.map(({ headers, body }) => [headers['content-type'], body])).toEqual([
      ['application/json', '{"filters":[],"limit":100}'],
      ['application/x-www-form-urlencoded', 'trx=a+b%26c'],
    ]);
  });

  // undici's pool frees a connection a moment after its body ends, so back-to-back calls open a
  // second socket and then alternate between the two; what matters is that calls stop costing sockets.
  it('reuses keep-alive connections for sequential calls', async () => {
    const server = await startServer((_request, response) => json(response, 200, '{"n":1}'));
    const http = client(server);
    for (let call = 0; call < 10; call += 1) await http.json({ method: 'GET', path: `/ledgers/${call}` });
    expect(server.received).toHaveLength(10);
    expect(server.connections()).toBeLessThanOrEqual(2);
  });

  it('reuses its one connection when limited to one, across error statuses too', async () => {
    const server = await startServer((request, response) =>
      json(response, request.url?.includes('missing') ? 404 : 200, '{"n":1}'),
    );
    const http = client(server, { connections: 1 });
    for (let call = 0; call < 5; call += 1) await http.json({ method: 'GET', path: `/ledgers/${call}` });
    await failure(http.send({ method: 'GET', path: '/missing' }));
    await http.send({ method: 'GET', path: '/again' });
    expect(server.received).toHaveLength(7);
    expect(server.connections()).toBe(1);
  });
});

describe('HttpClient: what it reads', () => {
  it('parses JSON losslessly: big integers and float text survive', async () => {
    const server = await startServer((_request, response) =>
      json(response, 200, '{"balance":123456789012345678901234567890,"value":10.17127500}'),
    );
    const { body } = await client(server).json({ method: 'GET', path: '/x' });
    const { balance, value } = body as { balance: { toString(): string }; value: { toString(): string } };
    expect(balance.toString()).toBe('123456789012345678901234567890');
    expect(value.toString()).toBe('10.17127500');
  });

  it('reads an empty or 204 body as null', async () => {
    const server = await startServer((_request, response, index) => {
      response.writeHead(index === 0 ? 204 : 200);
      response.end();
    });
    const http = client(server);
    expect(await http.json({ method: 'GET', path: '/a' })).toEqual({ status: 204, body: null });
    expect(await http.json({ method: 'GET', path: '/b' })).toEqual({ status: 200, body: null });
  });

  it('answers a status the caller accepts instead of throwing', async () => {
    const server = await startServer((_request, response) => json(response, 404, '{"errorCode":"NOT_FOUND"}'));
    const response = await client(server).json({ method: 'GET', path: '/v2/nope', accept: [404] });
    expect(response.status).toBe(404);
  });

  it('turns a body that is not JSON into SOURCE_BAD_RESPONSE', async () => {
    const server = await startServer((_request, response) => json(response, 200, '<html>oops</html>'));
    const error = await failure(client(server).json({ method: 'GET', path: '/x' }));
    expect(error.code).toBe('SOURCE_BAD_RESPONSE');
    expect(error.retryable).toBe(false);
    expect(error.extensions).toEqual({ code: 'SOURCE_BAD_RESPONSE', source: 'acme' });
  });
});

describe('HttpClient: limits', () => {
  it('gives up at the deadline on a body that drips in slowly', async () => {
    const server = await startServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('[');
      // A byte every 20 ms: never idle long enough for a per-chunk timeout, never done.
      const timer = setInterval(() => response.write('1,'), 20);
      response.on('close', () => clearInterval(timer));
    });
    const http = client(server, { timeoutMs: 300 });
    const started = Date.now();
    const error = await failure(http.json({ method: 'GET', path: '/slow' }));
    const elapsed = Date.now() - started;
    expect(error.code).toBe('SOURCE_TIMEOUT');
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2000);
    expect(http.calls).toBe(1); // a timeout is not retried: the deadline is spent
  });

  it('gives up at the deadline on a server that never answers', async () => {
    const server = await startServer(() => {});
    const started = Date.now();
    const error = await failure(client(server, { timeoutMs: 200 }).send({ method: 'GET', path: '/hang' }));
    expect(error.code).toBe('SOURCE_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(2000);
  });

  // Regression: a credential callback that never settled (a token endpoint that hangs and ignores
  // the signal) held the call past its deadline, for ever.
  it('bounds the credential callback by the deadline', async () => {
    const server = await startServer((_request, response) => json(response, 200, '{}'));
    const http = client(server, { timeoutMs: 200, authorize: () => new Promise<Record<string, string>>(() => {}) });
    const started = Date.now();
    const error = await failure(http.send({ method: 'GET', path: '/x' }));
    expect(error.code).toBe('SOURCE_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(server.received).toHaveLength(0);
  });

  it('spends one deadline on all attempts, not one each', async () => {
    const server = await startServer((_request, response) => {
      setTimeout(() => json(response, 503, '{}'), 120);
    });
    const http = client(server, { timeoutMs: 300, retries: 5 });
    const started = Date.now();
    const error = await failure(http.send({ method: 'GET', path: '/flaky' }));
    expect(['SOURCE_TIMEOUT', 'SOURCE_UNAVAILABLE']).toContain(error.code);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(http.calls).toBeLessThanOrEqual(3);
  });

  it.each([
    ['with a content-length', false],
    ['chunked, without a content-length', true],
  ])('refuses a response larger than maxResponseBytes, %s', async (_label, chunked) => {
    const server = await startServer((_request, response) => {
      const body = Buffer.alloc(4096, 'x');
      if (chunked) {
        response.writeHead(200, { 'content-type': 'application/json' });
        for (let offset = 0; offset < body.length; offset += 512) response.write(body.subarray(offset, offset + 512));
        response.end();
      } else {
        json(response, 200, body.toString());
      }
    });
    const http = client(server, capped(1000));
    const error = await failure(http.send({ method: 'GET', path: '/big' }));
    expect(error.code).toBe('SOURCE_BAD_RESPONSE');
    expect(http.calls).toBe(1);
    expect(server.received[0]?.url).toBe('/api/ledger/big');
  });

  it('accepts a response of exactly maxResponseBytes', async () => {
    const server = await startServer((_request, response) => json(response, 200, `"${'x'.repeat(998)}"`));
    expect((await client(server, capped(1000)).send({ method: 'GET', path: '/fits' })).text).toHaveLength(1000);
  });

  it('does not follow a redirect', async () => {
    const server = await startServer((request, response) => {
      if (request.url?.includes('elsewhere')) return json(response, 200, '{"followed":true}');
      response.writeHead(302, { location: '/api/ledger/elsewhere' });
      response.end();
    });
    const error = await failure(client(server).send({ method: 'GET', path: '/moved' }));
    expect(error.code).toBe('SOURCE_BAD_RESPONSE');
    expect(server.received.map(({ url }) => url)).toEqual(['/api/ledger/moved']);
  });
});

describe('HttpClient: retries and statuses', () => {
  it('retries a GET after a 503 and returns the next answer', async () => {
    const server = await startServer((_request, response, index) =>
      index === 0 ? json(response, 503, '{}') : json(response, 200, '{"ok":true}'),
    );
    const http = client(server);
    expect((await http.json({ method: 'GET', path: '/flaky' })).body).toEqual({ ok: true });
    expect(server.received).toHaveLength(2);
    expect(http.calls).toBe(2);
  });

  it('does not retry a POST', async () => {
    const server = await startServer((_request, response, index) =>
      index === 0 ? json(response, 503, '{}') : json(response, 200, '{"ok":true}'),
    );
    const http = client(server);
    const error = await failure(http.send({ method: 'POST', path: '/account/top-up', body: { form: { trx: '1' } } }));
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(server.received).toHaveLength(1);
  });

  it('gives up after the configured retries', async () => {
    const server = await startServer((_request, response) => json(response, 500, '{}'));
    const http = client(server, { retries: 1 });
    expect((await failure(http.send({ method: 'GET', path: '/down' }))).code).toBe('SOURCE_UNAVAILABLE');
    expect(server.received).toHaveLength(2);
  });

  it('does not wait for a Retry-After that ends past the deadline', async () => {
    const server = await startServer((_request, response) => json(response, 429, '{}', { 'retry-after': '30' }));
    const started = Date.now();
    const error = await failure(client(server).send({ method: 'GET', path: '/busy' }));
    expect(error.code).toBe('SOURCE_RATE_LIMITED');
    expect(server.received).toHaveLength(1);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it('reads a Retry-After given as an HTTP date: a date past the deadline is not waited for', async () => {
    const later = new Date(Date.now() + 60_000).toUTCString();
    const server = await startServer((_request, response) => json(response, 503, '{}', { 'retry-after': later }));
    const error = await failure(client(server).send({ method: 'GET', path: '/busy' }));
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(server.received).toHaveLength(1);
    const past = await startServer((_request, response, index) =>
      index === 0
        ? json(response, 503, '{}', { 'retry-after': new Date(Date.now() - 5000).toUTCString() })
        : json(response, 200, '{}'),
    );
    await client(past).send({ method: 'GET', path: '/busy' });
    expect(past.received).toHaveLength(2);
  });

  it('honours a Retry-After that fits the deadline', async () => {
    const server = await startServer((_request, response, index) =>
      index === 0 ? json(response, 429, '{}', { 'retry-after': '0' }) : json(response, 200, '{}'),
    );
    await client(server).send({ method: 'GET', path: '/busy' });
    expect(server.received).toHaveLength(2);
  });

  it.each([
    [429, 'SOURCE_RATE_LIMITED'],
    [420, 'SOURCE_RATE_LIMITED'],
    [401, 'SOURCE_AUTH_FAILED'],
    [403, 'SOURCE_AUTH_FAILED'],
    [500, 'SOURCE_UNAVAILABLE'],
    [400, 'SOURCE_BAD_RESPONSE'],
    [404, 'SOURCE_BAD_RESPONSE'],
  ] as const)('maps HTTP %i to %s', async (status, code) => {
    const server = await startServer((_request, response) => json(response, status, '{"error":"nope"}'));
    const error = await failure(client(server, { retries: 0 }).send({ method: 'GET', path: '/x' }));
    expect(error.code).toBe(code);
    expect(error.extensions).toEqual({ code, source: 'acme' });
    expect(error.message).toContain(`HTTP ${status}`);
  });

  it('does not retry a refused credential', async () => {
    const server = await startServer((_request, response) => json(response, 401, '{}'));
    await failure(client(server).send({ method: 'GET', path: '/x' }));
    expect(server.received).toHaveLength(1);
  });

  it('reports a refused connection as SOURCE_UNAVAILABLE', async () => {
    const closed = await startServer(() => {});
    await cleanups.pop()?.(); // close it now: its port refuses connections
    const error = await failure(client(closed, { retries: 1 }).send({ method: 'GET', path: '/x' }));
    expect(error.code).toBe('SOURCE_UNAVAILABLE');
    expect(error.extensions).toEqual({ code: 'SOURCE_UNAVAILABLE', source: 'acme' });
  });
});

describe('HttpClient: joining identical calls', () => {
  it('makes two identical concurrent GETs one upstream request', async () => {
    const server = await startServer((_request, response) => setTimeout(() => json(response, 200, '{"n":"7"}'), 30));
    const http = client(server);
    const request = { method: 'GET', path: '/ledgers', query: { page: 1 } } as const;
    const [a, b] = await Promise.all([http.json(request), http.json(request)]);
    expect(a.body).toEqual({ n: '7' });
    expect(b.body).toEqual({ n: '7' });
    expect(server.received).toHaveLength(1);
    // Once answered, the next identical call goes upstream again: joining is not caching.
    await http.json(request);
    expect(server.received).toHaveLength(2);
  });

  it('joins the failure too, and still makes different calls separately', async () => {
    const server = await startServer((request, response) =>
      setTimeout(() => json(response, request.url?.includes('bad') ? 400 : 200, '{}'), 30),
    );
    const http = client(server);
    const [a, b, c, d] = await Promise.allSettled([
      http.send({ method: 'GET', path: '/bad' }),
      http.send({ method: 'GET', path: '/bad' }),
      http.send({ method: 'GET', path: '/good', query: { page: 2 } }),
      http.send({ method: 'GET', path: '/good', headers: { 'x-other': '1' } }),
    ]);
    expect([a?.status, b?.status, c?.status, d?.status]).toEqual(['rejected', 'rejected', 'fulfilled', 'fulfilled']);
    expect(server.received.map(({ url }) => url).sort()).toEqual([
      '/api/ledger/bad',
      '/api/ledger/good',
      '/api/ledger/good?page=2',
    ]);
  });

  it('never joins POSTs', async () => {
    const server = await startServer((_request, response) => setTimeout(() => json(response, 200, '{}'), 30));
    const http = client(server);
    const request = { method: 'POST', path: '/balances/filter', body: { json: {} } } as const;
    await Promise.all([http.send(request), http.send(request)]);
    expect(server.received).toHaveLength(2);
  });
});

describe('HttpClient: errors say nothing about the vendor', () => {
  const SECRET = 'hunter2-query-secret';
  const BODY = 'BODY-TEXT-FROM-THE-VENDOR';
  const scenarios: [string, Handler, Partial<HttpClientOptions>][] = [
    ['401', (_request, response) => json(response, 401, `{"error-code-label":"${BODY}"}`), {}],
    ['500', (_request, response) => json(response, 500, `{"error":"${BODY}"}`), { retries: 0 }],
    ['302', (_request, response) => json(response, 302, BODY, { location: `/elsewhere?api_secret=${SECRET}` }), {}],
    ['invalid JSON', (_request, response) => json(response, 200, `${BODY} {`), {}],
    ['oversize', (_request, response) => json(response, 200, BODY.repeat(100)), capped(100)],
    ['timeout', () => {}, { timeoutMs: 150 }],
  ];

  it.each(scenarios)('%s', async (_label, handler, options) => {
    const server = await startServer(handler);
    const error = await failure(
      client(server, options).json({
        method: 'GET',
        path: '/account/get-balance',
        query: { api_key: 'key', api_secret: SECRET },
      }),
    );
    expect(server.received[0]?.url).toContain(SECRET); // the secret did go upstream…
    for (const shown of [error.message, String(error), JSON.stringify(error), JSON.stringify(error.toJSON())]) {
      // …but nothing a client or a log line sees names the vendor's address, path, secret or body.
      for (const hidden of ['127.0.0.1', String(server.port), 'get-balance', '/api/ledger', 'api_secret', SECRET, BODY])
        expect(shown).not.toContain(hidden);
      expect(shown).toContain('acme');
    }
  });

  it('refused connection', async () => {
    const closed = await startServer(() => {});
    await cleanups.pop()?.();
    const error = await failure(
      client(closed, { retries: 0 }).send({ method: 'GET', path: '/x', query: { api_secret: SECRET } }),
    );
    for (const shown of [error.message, JSON.stringify(error)]) {
      for (const hidden of ['127.0.0.1', String(closed.port), SECRET, 'ECONNREFUSED'])
        expect(shown).not.toContain(hidden);
    }
  });
});

describe('HttpClient: compressed bodies', () => {
  it('asks for gzip, deflate and br, and decodes each', async () => {
    const body = JSON.stringify({ amount: '123456789012345678901234567890' });
    const encoders: Record<string, (input: Buffer) => Buffer> = {
      gzip: gzipSync,
      deflate: deflateSync,
      br: brotliCompressSync,
    };
    for (const [encoding, encode] of Object.entries(encoders)) {
      const server = await startServer((_request, response) =>
        json(response, 200, encode(Buffer.from(body)) as unknown as string, { 'content-encoding': encoding }),
      );
      expect((await client(server).json({ method: 'GET', path: '/z' })).body).toEqual({
        amount: '123456789012345678901234567890',
      });
      expect(server.received[0]?.headers['accept-encoding']).toBe('gzip, deflate, br');
    }
  });

  it('caps the decompressed size: a 64 MiB gzip bomb of 64 KiB is cut at the cap', async () => {
    const bomb = gzipSync(Buffer.alloc(64 * 1024 * 1024, ' '));
    expect(bomb.length).toBeLessThan(128 * 1024);
    const server = await startServer((_request, response) =>
      json(response, 200, bomb as unknown as string, { 'content-encoding': 'gzip' }),
    );
    const before = process.memoryUsage().rss;
    const error = await failure(
      client(server, { ...capped(1024 * 1024), timeoutMs: 5000 }).send({ method: 'GET', path: '/bomb' }),
    );
    expect(error.code).toBe('SOURCE_BAD_RESPONSE');
    expect(error.message).toBe('source "acme" sent a response larger than the gateway accepts (1048576 bytes)');
    expect(process.memoryUsage().rss - before).toBeLessThan(48 * 1024 * 1024);
  });

  it('a corrupt compressed body or an encoding never asked for is SOURCE_BAD_RESPONSE', async () => {
    const corrupt = await startServer((_request, response) =>
      json(response, 200, 'not gzip at all', { 'content-encoding': 'gzip' }),
    );
    expect((await failure(client(corrupt).send({ method: 'GET', path: '/c' }))).message).toBe(
      'source "acme" sent a compressed body that does not decompress',
    );
    const brotli = await startServer((_request, response) =>
      json(response, 200, 'not brotli at all, not at all', { 'content-encoding': 'br' }),
    );
    const broken = await failure(client(brotli).send({ method: 'GET', path: '/b' }));
    expect([broken.code, broken.message]).toEqual([
      'SOURCE_BAD_RESPONSE',
      'source "acme" sent a compressed body that does not decompress',
    ]);
    expect(brotli.received).toHaveLength(1); // not retried: the body is the same on every try
    const odd = await startServer((_request, response) => json(response, 200, '{}', { 'content-encoding': 'zstd' }));
    expect((await failure(client(odd).send({ method: 'GET', path: '/o' }))).message).toBe(
      'source "acme" sent a body in an encoding the gateway did not ask for',
    );
  });
});

describe('HttpClient: circuit breaker', () => {
  const breaking = (failureThreshold: number, openMs: number) => ({
    retries: 0,
    transport: createSourceTransport('acme', {
      ...DEFAULT_TRANSPORT,
      retries: 0,
      circuitBreaker: { failureThreshold, openMs },
    }),
  });

  it('opens after consecutive failures: later calls fail at once and never reach the vendor', async () => {
    const server = await startServer((_request, response) => json(response, 503, '{}'));
    const options = breaking(3, 60_000);
    const http = client(server, options);
    for (let call = 0; call < 3; call += 1)
      expect((await failure(http.send({ method: 'GET', path: `/f${call}` }))).message).toBe(
        'source "acme" failed (HTTP 503)',
      );
    expect(options.transport.breaker.snapshot()).toMatchObject({ state: 'OPEN', consecutiveFailures: 3 });
    for (let call = 0; call < 20; call += 1) {
      const error = await failure(http.send({ method: 'GET', path: `/open${call}` }));
      expect(error.code).toBe('SOURCE_UNAVAILABLE');
      expect(error.message).toMatch(
        /^source "acme" failed 3 calls in a row; the gateway stops calling it for \d+ s \(circuit open\)$/,
      );
      expect(error.extensions).toMatchObject({ code: 'SOURCE_UNAVAILABLE', source: 'acme', circuit: 'OPEN' });
    }
    expect(server.received).toHaveLength(3);
  });

  it('half-opens after the pause: one probe at a time; success closes it, failure opens it again', async () => {
    let healthy = false;
    const server = await startServer((_request, response) =>
      healthy ? json(response, 200, '{"ok":true}') : json(response, 500, '{}'),
    );
    const options = breaking(2, 150);
    const http = client(server, options);
    await failure(http.send({ method: 'GET', path: '/a' }));
    await failure(http.send({ method: 'GET', path: '/b' }));
    expect(options.transport.breaker.snapshot().state).toBe('OPEN');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(options.transport.breaker.snapshot().state).toBe('HALF_OPEN');
    await failure(http.send({ method: 'GET', path: '/probe-fails' }));
    expect(options.transport.breaker.snapshot().state).toBe('OPEN');
    expect(server.received).toHaveLength(3);
    await new Promise((resolve) => setTimeout(resolve, 200));
    healthy = true;
    // Two calls at once while half-open: one probe goes through, the other is refused without a call.
    const [probe, second] = await Promise.allSettled([
      http.send({ method: 'GET', path: '/probe' }),
      http.send({ method: 'GET', path: '/second' }),
    ]);
    expect(probe.status).toBe('fulfilled');
    expect(second.status).toBe('rejected');
    const refused = (second as PromiseRejectedResult).reason as SourceError;
    expect([refused.message, refused.extensions.circuit]).toEqual([
      'source "acme" failed 3 calls in a row; the gateway stops calling it until its probe call answers (circuit half-open)',
      'HALF_OPEN',
    ]);
    expect(server.received).toHaveLength(4);
    expect(options.transport.breaker.snapshot()).toEqual({
      state: 'CLOSED',
      consecutiveFailures: 0,
      openedAt: null,
      retryAt: null,
    });
    expect((await http.send({ method: 'GET', path: '/after' })).status).toBe(200);
  });

  it('a 401, a 404 the caller accepts or an unreadable body do not open it', async () => {
    const server = await startServer((request, response) =>
      request.url?.includes('auth') ? json(response, 401, '{}') : json(response, 404, '{}'),
    );
    const options = breaking(2, 60_000);
    const http = client(server, options);
    for (let call = 0; call < 4; call += 1) {
      expect((await failure(http.send({ method: 'GET', path: `/auth${call}` }))).code).toBe('SOURCE_AUTH_FAILED');
      expect((await http.send({ method: 'GET', path: `/missing${call}`, accept: [404] })).status).toBe(404);
    }
    expect(options.transport.breaker.snapshot().state).toBe('CLOSED');
    expect(server.received).toHaveLength(8);
  });
});

describe('HttpClient: TLS is verified', () => {
  // A self-signed certificate, made with the system's openssl for this test only.
  const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

  it.skipIf(!hasOpenssl)(
    'refuses a vendor whose certificate no trusted authority signed: SOURCE_UNAVAILABLE, no request answered',
    async () => {
      const directory = mkdtempSync(join(tmpdir(), 'tls-'));
      const [key, cert] = [join(directory, 'key.pem'), join(directory, 'cert.pem')];
      const made = spawnSync('openssl', [
        'req',
        '-x509',
        '-newkey',
        'ec',
        '-pkeyopt',
        'ec_paramgen_curve:prime256v1',
        '-nodes',
        '-keyout',
        key,
        '-out',
        cert,
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-days',
        '1',
      ]);
      expect(made.status).toBe(0);
      let answered = 0;
      const server = createHttpsServer({ key: readFileSync(key), cert: readFileSync(cert) }, (_request, response) => {
        answered += 1;
        json(response, 200, '{"ok":true}');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
      const http = client(
        { baseUrl: `https://127.0.0.1:${(server.address() as AddressInfo).port}` },
        { retries: 0, timeoutMs: 2000 },
      );
      const error = await failure(http.send({ method: 'GET', path: '/balance' }));
      expect(error.code).toBe('SOURCE_UNAVAILABLE');
      expect(error.message).toBe('source "acme" could not be reached');
      expect(answered).toBe(0);
    },
  );
});
