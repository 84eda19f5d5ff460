import { afterEach, describe, expect, it } from 'vitest';
import type { SourceError } from '../../../src/errors.ts';
import { createSourceTransport, DEFAULT_TRANSPORT } from '../../../src/providers/http/index.ts';
import { client, closeAll, failure, json, startServer } from './test-server.ts';

// The source's circuit breaker as every call meets it, and the per-source transport that shares it.
afterEach(closeAll);

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

describe('HttpClient: circuit breaker, what counts', () => {
  it('counts a call that failed after its retries as one failure, not one per attempt', async () => {
    const server = await startServer((_request, response) => json(response, 503, '{}'));
    const transport = createSourceTransport('acme', {
      ...DEFAULT_TRANSPORT,
      retries: 2,
      circuitBreaker: { failureThreshold: 2, openMs: 60_000 },
    });
    const http = client(server, { transport, timeoutMs: 5000 });
    await failure(http.send({ method: 'GET', path: '/first' }));
    expect(server.received).toHaveLength(3);
    expect(transport.breaker.snapshot()).toMatchObject({ state: 'CLOSED', consecutiveFailures: 1 });
    await failure(http.send({ method: 'GET', path: '/second' }));
    expect(server.received).toHaveLength(6);
    expect(transport.breaker.snapshot()).toMatchObject({ state: 'OPEN', consecutiveFailures: 2 });
  });

  it('is shared by every client of the source: failures through one refuse calls through another', async () => {
    const failing = await startServer((_request, response) => json(response, 500, '{}'));
    const other = await startServer((_request, response) => json(response, 200, '{}'));
    const transport = createSourceTransport('acme', {
      ...DEFAULT_TRANSPORT,
      retries: 0,
      circuitBreaker: { failureThreshold: 2, openMs: 60_000 },
    });
    const api = client(failing, { transport });
    const tokens = client(other, { transport });
    await failure(api.send({ method: 'GET', path: '/a' }));
    await failure(api.send({ method: 'GET', path: '/b' }));
    const refused: SourceError = await failure(tokens.send({ method: 'GET', path: '/token' }));
    expect([refused.code, refused.extensions.circuit]).toEqual(['SOURCE_UNAVAILABLE', 'OPEN']);
    expect(other.received).toHaveLength(0);
  });
});
