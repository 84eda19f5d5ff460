import { createHook } from 'node:async_hooks';
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { SourceError } from '../../../src/errors.ts';
import { backoff } from '../../../src/providers/http/retry-within-deadline.ts';
import { runInRequestScope } from '../../../src/request-scope.ts';
import { cleanups, client, closeAll, failure, json, startServer } from './test-server.ts';

// One deadline over every attempt, statuses to errors, retries of GETs with backoff and Retry-After.
afterEach(closeAll);

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
});

describe('HttpClient: nothing of a call outlives it', () => {
  // Regression: each call armed an AbortSignal.timeout (a timer nobody can clear, alive for the
  // whole deadline after the call) and an AbortSignal.any over the operation's signal.
  it('clears its deadline timer and removes its listener on the operation when it settles', async () => {
    const server = await startServer((_request, response, index) =>
      index === 0 ? json(response, 503, '{}') : json(response, 200, '{}'),
    );
    const timeoutMs = 7777; // a deadline no other timer of the call has, to find its timer by
    const http = client(server, { timeoutMs });
    const live = new Set<number>();
    const hook = createHook({
      init(id, type, _trigger, resource) {
        if (type === 'Timeout' && (resource as { _idleTimeout?: number })._idleTimeout === timeoutMs) live.add(id);
      },
      destroy(id) {
        live.delete(id);
      },
    }).enable();
    try {
      const operation = new AbortController();
      const scope = {
        requestId: 'timers',
        signal: operation.signal,
        operation: { upstreamLimit: 10, upstreamSent: 0 },
      };
      const calls = Array.from({ length: 5 }, (_, index) =>
        runInRequestScope(scope, () => http.send({ method: 'GET', path: `/${index}` })),
      );
      expect((await Promise.all(calls)).map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
      expect(server.received).toHaveLength(6); // one call retried after its 503
      await new Promise((resolve) => setImmediate(resolve)); // destroy hooks run after the clear
      expect(live.size).toBe(0);
      expect(getEventListeners(operation.signal, 'abort')).toHaveLength(0);
    } finally {
      hook.disable();
    }
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

describe('backoff: the pause before a retry', () => {
  const failed = (retryAfter?: string) =>
    Object.assign(new SourceError('SOURCE_UNAVAILABLE', 'source "acme" failed (HTTP 503)', { source: 'acme' }), {
      retryAfter,
    });
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('doubles a jittered pause per attempt: 25–75 ms, then 50–150 ms, then 100–300 ms', () => {
    for (let run = 0; run < 200; run += 1) {
      for (const [attempt, low, high] of [
        [0, 25, 75],
        [1, 50, 150],
        [2, 100, 300],
      ] as const) {
        const pause = backoff(attempt, failed(), now);
        expect(pause).toBeGreaterThanOrEqual(low);
        expect(pause).toBeLessThan(high);
      }
    }
    // Jittered: callers that failed together do not come back together.
    expect(new Set(Array.from({ length: 20 }, () => backoff(0, failed(), now))).size).toBeGreaterThan(1);
  });

  it('takes a Retry-After in seconds or as an HTTP date instead, and ignores one it cannot read', () => {
    expect(backoff(0, failed('3'), now)).toBe(3000);
    expect(backoff(2, failed(' 0 '), now)).toBe(0);
    expect(backoff(0, failed('Wed, 01 Jan 2025 00:00:10 GMT'), now)).toBe(10_000);
    expect(backoff(0, failed('Tue, 31 Dec 2024 23:59:00 GMT'), now)).toBe(0); // already past: retry now
    const unreadable = backoff(0, failed('soon'), now);
    expect(unreadable).toBeGreaterThanOrEqual(25);
    expect(unreadable).toBeLessThan(75);
  });
});
