import type { ServerResponse } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { GatewayError } from '../../../src/errors.ts';
import { createSourceTransport, DEFAULT_TRANSPORT } from '../../../src/providers/http/index.ts';
import { OperationEnded } from '../../../src/operation-end.ts';
import { callersWaitingOnSharedWork } from '../../../src/providers/shared-work.ts';
import { type RequestScope, runInRequestScope } from '../../../src/request-scope.ts';
import { client, closeAll, json, startServer } from './test-server.ts';

// The HTTP client under the request scope: calls end with their operation, a shared GET ends with
// the last operation waiting for it, permit waits count against the operation, and the call budget.
afterEach(closeAll);

/** An operation as the request-scope plugin makes one, with a hand on its end. */
function operation(upstreamLimit = 1000) {
  const controller = new AbortController();
  const scope: RequestScope = {
    requestId: `op-${Math.random()}`,
    signal: controller.signal,
    operation: { upstreamLimit, upstreamSent: 0 },
  };
  return {
    scope,
    run: <T>(work: () => Promise<T>) => runInRequestScope(scope, work),
    end: (reason = new OperationEnded('deadline', 300)) => controller.abort(reason),
  };
}

/** The gateway error a promise rejects with. */
async function rejection(promise: Promise<unknown>): Promise<GatewayError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(GatewayError);
  return error as GatewayError;
}

/** A server that holds every request until the test answers it, and counts requests whose client left. */
async function heldServer() {
  const held: ServerResponse[] = [];
  let abandoned = 0;
  const server = await startServer((_request, response) => {
    held.push(response);
    response.on('close', () => {
      if (!response.writableEnded) abandoned += 1;
    });
  });
  return { server, held, abandoned: () => abandoned };
}

const until = async (condition: () => boolean) => {
  for (let waited = 0; !condition(); waited += 10) {
    if (waited > 3000) throw new Error('condition not met within 3 s');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
};

describe('HttpClient: a call belongs to its operation', () => {
  it('aborts a call in flight when the operation ends, with OPERATION_TIMEOUT naming the source, and the breaker does not count it', async () => {
    const { server, abandoned } = await heldServer();
    const transport = createSourceTransport('acme', {
      ...DEFAULT_TRANSPORT,
      circuitBreaker: { failureThreshold: 1, openMs: 60_000 },
    });
    const http = client(server, { timeoutMs: 10_000, transport });
    const op = operation();
    const call = op.run(() => http.send({ method: 'GET', path: '/slow' }));
    await until(() => server.received.length === 1);
    op.end();
    const error = await rejection(call);
    expect(error.code).toBe('OPERATION_TIMEOUT');
    expect(error.extensions).toMatchObject({ code: 'OPERATION_TIMEOUT', source: 'acme' });
    expect(error.message).toBe(`the operation's deadline (300 ms) passed before source "acme" answered`);
    await until(() => abandoned() === 1); // the vendor's socket was closed: the call is really gone
    expect(transport.breaker.snapshot()).toMatchObject({ state: 'CLOSED', consecutiveFailures: 0 });
    // An ended operation starts nothing new.
    const refused = await rejection(op.run(() => http.send({ method: 'GET', path: '/other' })));
    expect(refused.code).toBe('OPERATION_TIMEOUT');
    expect(server.received).toHaveLength(1);
  });

  it('a shared GET survives one operation leaving and is aborted when the last one leaves', async () => {
    const { server, held, abandoned } = await heldServer();
    const http = client(server, { timeoutMs: 10_000 });
    const [a, b, c] = [operation(), operation(), operation()];
    const request = { method: 'GET', path: '/ledgers' } as const;
    const callA = a.run(() => http.json(request));
    const callB = b.run(() => http.json(request));
    await until(() => server.received.length === 1);
    a.end(new OperationEnded('disconnected'));
    // The operation that left gets its own rejection at once; the call goes on for the other.
    expect((await rejection(callA)).code).toBe('OPERATION_CANCELLED');
    json(held[0]!, 200, '{"n":"1"}');
    expect((await callB).body).toEqual({ n: '1' });
    expect(server.received).toHaveLength(1);
    expect(abandoned()).toBe(0);

    // Now both joiners leave: the upstream call is aborted, and a later caller starts afresh.
    const [d] = [operation()];
    const callB2 = b.run(() => http.json({ ...request, path: '/accounts' }));
    const callC = c.run(() => http.json({ ...request, path: '/accounts' }));
    await until(() => server.received.length === 2);
    b.end(new OperationEnded('answered'));
    c.end(new OperationEnded('disconnected'));
    expect((await rejection(callB2)).code).toBe('OPERATION_CANCELLED');
    expect((await rejection(callC)).code).toBe('OPERATION_CANCELLED');
    await until(() => abandoned() === 1);
    const callD = d.run(() => http.json({ ...request, path: '/accounts' }));
    await until(() => server.received.length === 3);
    json(held[2]!, 200, '{"n":"2"}');
    expect((await callD).body).toEqual({ n: '2' });
  });

  it('the call deadline starts when the call goes out: waiting for a permit counts against the operation only', async () => {
    // One connection and a call deadline of 400 ms; the vendor holds the first two calls, which end
    // at their deadlines one after the other, and answers the third at once. The third waited for
    // its permit through the second's whole deadline (longer than its own), and still gets its own.
    const server = await startServer((_request, response, index) => {
      if (index >= 2) json(response, 200, '{}');
    });
    const http = client(server, { timeoutMs: 400, connections: 1, retries: 0 });
    const ops = [operation(), operation(), operation()];
    const calls = ops.map((op, index) => op.run(() => http.send({ method: 'POST', path: `/${index}` })));
    const held = await Promise.all(calls.slice(0, 2).map((call) => rejection(call)));
    expect(held.map((error) => error.code)).toEqual(['SOURCE_TIMEOUT', 'SOURCE_TIMEOUT']);
    expect((await calls[2]!).status).toBe(200);
    expect(server.received.map((request) => request.url)).toEqual(['/api/ledger/0', '/api/ledger/1', '/api/ledger/2']);
  });

  it('a wait for a permit ends with the operation, without a call and without a breaker failure', async () => {
    const { server, held } = await heldServer();
    const transport = createSourceTransport('acme', {
      ...DEFAULT_TRANSPORT,
      circuitBreaker: { failureThreshold: 1, openMs: 60_000 },
    });
    const http = client(server, { timeoutMs: 10_000, connections: 1, transport });
    const [holder, waiter] = [operation(), operation()];
    const first = holder.run(() => http.send({ method: 'GET', path: '/first' }));
    await until(() => server.received.length === 1);
    // A POST: never joined, so only the permit wait itself can end it early.
    const second = waiter.run(() => http.send({ method: 'POST', path: '/second' }));
    waiter.end();
    expect((await rejection(second)).code).toBe('OPERATION_TIMEOUT');
    json(held[0]!, 200, '{}');
    await first;
    expect(server.received).toHaveLength(1);
    expect(transport.breaker.snapshot()).toMatchObject({ state: 'CLOSED', consecutiveFailures: 0 });
  });
});

describe('HttpClient: the permit sits outside the breaker and is lent out during a retry pause', () => {
  it('a half-open probe is not the call queueing for a permit: another call probes and closes the breaker', async () => {
    // Regression: the breaker admitted a call before its permit wait, so the probe could sit in
    // the queue while every other call of the source failed "half-open".
    const { server, held } = await heldServer();
    const transport = createSourceTransport('acme', {
      ...DEFAULT_TRANSPORT,
      circuitBreaker: { failureThreshold: 1, openMs: 50 },
    });
    // Two clients of one source (one transport, one breaker), each with its own permits.
    const busy = client(server, { timeoutMs: 10_000, connections: 1, transport });
    const other = client(server, { timeoutMs: 10_000, transport });
    const op = operation();
    const holding = op.run(() => busy.send({ method: 'POST', path: '/holding' }));
    await until(() => server.received.length === 1);
    const failing = op.run(() => other.send({ method: 'POST', path: '/failing' }));
    await until(() => server.received.length === 2);
    json(held[1]!, 503, '{}');
    expect((await rejection(failing)).code).toBe('SOURCE_UNAVAILABLE');
    await until(() => transport.breaker.snapshot().state === 'HALF_OPEN');
    // This call waits for `busy`'s only permit; it must not take the probe with it.
    const queued = op.run(() => busy.send({ method: 'POST', path: '/queued' }));
    const probe = op.run(() => other.send({ method: 'POST', path: '/probe' }));
    await until(() => server.received.length === 3);
    expect(server.received[2]!.url).toBe('/api/ledger/probe');
    json(held[2]!, 200, '{}');
    expect((await probe).status).toBe(200);
    expect(transport.breaker.snapshot().state).toBe('CLOSED');
    json(held[0]!, 200, '{}');
    await holding;
    await until(() => server.received.length === 4);
    json(held[3]!, 200, '{}');
    expect((await queued).status).toBe(200);
  });

  it('a call pausing before its retry gives its permit to the next call meanwhile', async () => {
    // Regression: the permit was held across the pause (at concurrency 2, two 429s parked both connections).
    const { server, held } = await heldServer();
    const http = client(server, { timeoutMs: 10_000, connections: 1 });
    const [a, b] = [operation(), operation()];
    const retried = a.run(() => http.send({ method: 'GET', path: '/limited' }));
    await until(() => server.received.length === 1);
    const next = b.run(() => http.send({ method: 'POST', path: '/next' }));
    json(held[0]!, 429, '{}', { 'retry-after': '0' });
    // The pause frees the only connection: the other operation's call goes out before the retry.
    await until(() => server.received.length === 2);
    expect(server.received[1]!.url).toBe('/api/ledger/next');
    json(held[1]!, 200, '{}');
    expect((await next).status).toBe(200);
    await until(() => server.received.length === 3);
    expect(server.received[2]!.url).toBe('/api/ledger/limited');
    json(held[2]!, 200, '{}');
    expect((await retried).status).toBe(200);
    expect(server.connections()).toBe(1);
  });

  it('a permit wait outside any operation ends at the call deadline, without a call', async () => {
    // Regression: outside an operation (start-up) a wait for a permit had no deadline at all.
    const { server } = await heldServer(); // never answers: each call ends at its 200 ms deadline
    const http = client(server, { timeoutMs: 200, connections: 1, retries: 0 });
    const holding = operation().run(() => http.send({ method: 'POST', path: '/holding' }));
    await until(() => server.received.length === 1);
    // Two calls outside any operation queue behind it: the second's wait outlasts its 200 ms.
    const first = http.send({ method: 'POST', path: '/first' });
    const others = Promise.allSettled([holding, first]); // both fail at their deadlines; not this test's point
    const error = await rejection(http.send({ method: 'POST', path: '/second' }));
    expect(error.code).toBe('SOURCE_TIMEOUT');
    expect(error.message).toBe('source "acme" had no free connection within 200 ms');
    await others;
    expect(server.received.map((request) => request.url)).not.toContain('/api/ledger/second');
  });
});

describe('HttpClient: the operation budget of upstream calls', () => {
  it('counts every attempt, retries included; the one past the budget is not sent and fails LIMIT_EXCEEDED', async () => {
    const server = await startServer((_request, response) => json(response, 503, '{}'));
    const http = client(server, { timeoutMs: 5000 });
    const op = operation(2);
    const error = await rejection(op.run(() => http.send({ method: 'GET', path: '/flaky' })));
    expect(server.received).toHaveLength(2); // the first try and one retry; the second retry was not sent
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(error.extensions).toEqual({ code: 'LIMIT_EXCEEDED', limit: 'upstreamCalls', source: 'acme' });
    // Spent: later calls of the operation fail at once.
    expect((await rejection(op.run(() => http.send({ method: 'POST', path: '/x' })))).code).toBe('LIMIT_EXCEEDED');
    expect(server.received).toHaveLength(2);
    expect(op.scope.operation).toEqual({ upstreamLimit: 2, upstreamSent: 2 });
  });

  it('a retry the budget cuts short still reports the vendor’s failures to the breaker', async () => {
    // Regression: the 503s before the refused retry ended as LIMIT_EXCEEDED, which the breaker ignores.
    const server = await startServer((_request, response) => json(response, 503, '{}'));
    const transport = createSourceTransport('acme', {
      ...DEFAULT_TRANSPORT,
      circuitBreaker: { failureThreshold: 1, openMs: 60_000 },
    });
    const http = client(server, { timeoutMs: 5000, transport });
    const error = await rejection(operation(2).run(() => http.send({ method: 'GET', path: '/flaky' })));
    expect(error.code).toBe('LIMIT_EXCEEDED');
    expect(server.received).toHaveLength(2);
    expect(transport.breaker.snapshot()).toMatchObject({ state: 'OPEN', consecutiveFailures: 1 });
  });

  it('a shared GET’s calls are paid by the callers with budget left: one caller’s spent budget fails nobody else', async () => {
    // Regression: the shared call ran on the first caller's budget, so its exhaustion during a
    // retry failed every caller that had joined with LIMIT_EXCEEDED.
    const { server, held } = await heldServer();
    const http = client(server, { timeoutMs: 10_000 });
    const [a, b, broke] = [operation(1), operation(1000), operation(0)];
    const request = { method: 'GET', path: '/shared' } as const;
    const callA = a.run(() => http.send(request));
    const callB = b.run(() => http.send(request));
    await until(() => server.received.length === 1 && callersWaitingOnSharedWork() === 2);
    // Joining sends nothing: an operation with no budget left may wait for the call in flight.
    const callBroke = broke.run(() => http.send(request));
    await until(() => callersWaitingOnSharedWork() === 3);
    json(held[0]!, 503, '{}', { 'retry-after': '0' });
    await until(() => server.received.length === 2);
    json(held[1]!, 503, '{}', { 'retry-after': '0' });
    await until(() => server.received.length === 3);
    json(held[2]!, 200, '{}');
    expect((await Promise.all([callA, callB, callBroke])).map((answer) => answer.status)).toEqual([200, 200, 200]);
    // The first try was paid by both callers waiting then; the retries by the one with budget left.
    expect([a.scope.operation, b.scope.operation, broke.scope.operation]).toEqual([
      { upstreamLimit: 1, upstreamSent: 1 },
      { upstreamLimit: 1000, upstreamSent: 3 },
      { upstreamLimit: 0, upstreamSent: 0 },
    ]);
    expect(callersWaitingOnSharedWork()).toBe(0);
  });

  it('a shared GET nobody waiting can pay for is not sent', async () => {
    const server = await startServer((_request, response) => json(response, 503, '{}'));
    const http = client(server, { timeoutMs: 5000 });
    const [a, b] = [operation(1), operation(1)];
    const request = { method: 'GET', path: '/flaky' } as const;
    const calls = [a.run(() => http.send(request)), b.run(() => http.send(request))];
    for (const call of calls) expect((await rejection(call)).code).toBe('LIMIT_EXCEEDED');
    expect(server.received).toHaveLength(1); // the first try, paid by both; no retry
    expect([a.scope.operation, b.scope.operation]).toEqual([
      { upstreamLimit: 1, upstreamSent: 1 },
      { upstreamLimit: 1, upstreamSent: 1 },
    ]);
  });
});
