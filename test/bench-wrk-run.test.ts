import { once } from 'node:events';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { describe, expect, it } from 'vitest';
import { type BenchScenario, load, measureRun, type Server } from '../bench/side-by-side.ts';

/** A node:http server on 127.0.0.1 as the bench's Server: its pool, URL and pid (this process). */
async function benchServer(listener: RequestListener): Promise<Server & { close(): Promise<void> }> {
  const http = createServer(listener);
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const { port } = http.address() as AddressInfo;
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 2 });
  const close = async () => {
    await pool.close();
    http.closeAllConnections();
    http.close();
  };
  // `child` is only for bench/allocation-probe.ts's IPC, which measureRun does not use.
  return {
    pool,
    url: `http://127.0.0.1:${port}/graphql`,
    pid: process.pid,
    child: undefined as never,
    stop: close,
    close,
  };
}

let answered = 0;
/** Answers every POST with `answer(n)` as JSON, status 200; `answered` counts them from 1. */
const answering =
  (answer: (n: number) => unknown): RequestListener =>
  (request, response) => {
    request.resume();
    request.on('end', () => {
      answered += 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(answer(answered)));
    });
  };

const scenario = (name: string): BenchScenario => ({
  name,
  query: '{ v }',
  variables: {},
  balances: (data) => [['the one balance', String(data.v)]],
});

// measureRun under wrk, where the bench would use it (wrk on the PATH, BENCH_LOAD not node).
describe.skipIf(load !== 'wrk')('a timed run driven by wrk', () => {
  it('checks balances on an answer after the run, as wrk checks none', async () => {
    answered = 0;
    // The 50 warm-up answers agree with the first; from the 51st on, wrk's and the one after, another amount.
    const server = await benchServer(answering((n) => ({ data: { v: n <= 50 ? '1' : '2' } })));
    try {
      const run = await measureRun(server, scenario('wrk: amount changes after warm-up'), 1, 2);
      expect(answered).toBeGreaterThan(51);
      expect(run.perSecond).toBeGreaterThan(0);
      expect(run.p99).toBeGreaterThanOrEqual(run.p50);
      expect(run.amountsOff).toBe(1);
    } finally {
      await server.close();
    }
  });

  it('fails the run, rather than report it, when wrk gets answers with GraphQL errors', async () => {
    answered = 0;
    const server = await benchServer(
      answering((n) => (n <= 50 || n % 10 ? { data: { v: '1' } } : { errors: [{ message: 'sick' }], data: null })),
    );
    try {
      await expect(measureRun(server, scenario('wrk: some answers with errors'), 1, 2)).rejects.toThrow(
        /the wrk run had failures, so it is not reported: \d+ answers not 200 or with GraphQL errors/,
      );
    } finally {
      await server.close();
    }
  });
});
