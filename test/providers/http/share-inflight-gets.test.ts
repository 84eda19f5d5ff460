import { afterEach, describe, expect, it } from 'vitest';
import { createSourceTransport, DEFAULT_TRANSPORT } from '../../../src/providers/http/index.ts';
import { client, closeAll, json, startServer } from './test-server.ts';

// Identical GETs in flight made once; joining is not caching.
afterEach(closeAll);

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

describe('HttpClient: joining identical calls, in focus', () => {
  it('joins only calls that accept the same statuses', async () => {
    const server = await startServer((_request, response) => setTimeout(() => json(response, 404, '{}'), 30));
    const http = client(server);
    const [strict, lenient] = await Promise.allSettled([
      http.send({ method: 'GET', path: '/maybe' }),
      http.send({ method: 'GET', path: '/maybe', accept: [404] }),
    ]);
    expect([strict.status, lenient.status]).toEqual(['rejected', 'fulfilled']);
    expect(server.received).toHaveLength(2);
  });

  it('joins before the breaker: identical GETs while half-open share the one probe', async () => {
    let healthy = false;
    const server = await startServer((_request, response) =>
      healthy ? setTimeout(() => json(response, 200, '{"ok":true}'), 30) : json(response, 503, '{}'),
    );
    const transport = createSourceTransport('acme', {
      ...DEFAULT_TRANSPORT,
      retries: 0,
      circuitBreaker: { failureThreshold: 1, openMs: 100 },
    });
    const http = client(server, { transport });
    await http.send({ method: 'GET', path: '/down' }).catch(() => {});
    expect(transport.breaker.snapshot().state).toBe('OPEN');
    await new Promise((resolve) => setTimeout(resolve, 150));
    healthy = true;
    const request = { method: 'GET', path: '/probe' } as const;
    const [a, b] = await Promise.all([http.send(request), http.send(request)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(server.received).toHaveLength(2);
    expect(transport.breaker.snapshot().state).toBe('CLOSED');
  });
});
