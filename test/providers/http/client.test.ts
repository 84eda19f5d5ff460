import { spawnSync } from 'node:child_process';
import { selfSignedCertificate } from '../../helpers/self-signed.ts';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpClientOptions } from '../../../src/providers/http/index.ts';
import { capped, cleanups, client, closeAll, failure, type Handler, json, startServer } from './test-server.ts';

// The client itself: request building, the pool, JSON reading, redirects, TLS, and what its errors show.
afterEach(closeAll);

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

describe('HttpClient: TLS is verified', () => {
  // A self-signed certificate, made with the system's openssl for this test only.
  const hasOpenssl = spawnSync('openssl', ['version']).status === 0;

  it.skipIf(!hasOpenssl)(
    'refuses a vendor whose certificate no trusted authority signed: SOURCE_UNAVAILABLE, no request answered',
    async () => {
      const { key, cert } = selfSignedCertificate();
      let answered = 0;
      const server = createHttpsServer({ key, cert }, (_request, response) => {
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
