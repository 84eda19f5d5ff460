import { once } from 'node:events';
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { fractionsFrom, pacedLoad } from '../bench/paced-load.ts';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
});

/** A node:http server on 127.0.0.1 and a pool of `connections` to it. */
async function serve(listener: RequestListener, connections: number): Promise<Pool> {
  const http = createServer(listener);
  http.listen(0, '127.0.0.1');
  await once(http, 'listening');
  const pool = new Pool(`http://127.0.0.1:${(http.address() as AddressInfo).port}`, { connections });
  closers.push(async () => {
    await pool.destroy();
    http.closeAllConnections();
    http.close();
  });
  return pool;
}

const answerAfter =
  (ms: number, body = '{"data":{"v":1}}', status = 200): RequestListener =>
  (request, response) => {
    request.resume();
    request.on('end', () =>
      setTimeout(() => {
        response.writeHead(status, { 'content-type': 'application/json' });
        response.end(body);
      }, ms),
    );
  };

describe('paced load (bench/paced-load.ts)', () => {
  it('counts the wait for a connection: latency runs from the scheduled time, not from the send', async () => {
    // One connection, 20 ms per answer: it serves 50 a second and is asked 100, so the queue grows
    // by half a second over the second. Timed from leaving, every answer took about 20 ms.
    const pool = await serve(answerAfter(20), 1);
    const report = await pacedLoad({ pool, bodies: ['{}'], rate: 100, seconds: 1 });
    expect(report.scheduled).toBe(100);
    expect(report.answered).toBe(100);
    expect(report.unanswered).toBe(0);
    expect(report.p50).toBeGreaterThan(200);
    expect(report.p99).toBeGreaterThan(report.p50);
  });

  it('keeps its schedule however slowly the server answers, and stops waiting at the deadline', async () => {
    const pool = await serve(() => {}, 50); // never answers
    const report = await pacedLoad({ pool, bodies: ['{}'], rate: 40, seconds: 0.5, deadlineMs: 200 });
    expect(report.scheduled).toBe(20);
    expect(report.answered).toBe(0);
    expect(report.unanswered).toBe(20);
    expect(report.p50).toBe(Number.POSITIVE_INFINITY);
  });

  it('counts an answer that is not 200, or carries GraphQL errors, as failed', async () => {
    const failing = await serve(answerAfter(0, '{"data":null}', 503), 2);
    expect((await pacedLoad({ pool: failing, bodies: ['{}'], rate: 50, seconds: 0.2 })).failed).toBe(10);
    const erring = await serve(answerAfter(0, '{"errors":[{"message":"no"}]}'), 2);
    const report = await pacedLoad({ pool: erring, bodies: ['{}'], rate: 50, seconds: 0.2 });
    expect(report.failed).toBe(10);
    expect(report.answered).toBe(0);
  });

  it('takes fractions above 0 and at most 1', () => {
    expect(fractionsFrom(undefined)).toEqual([0.5, 0.8]);
    expect(fractionsFrom(' 0.25, 1 ')).toEqual([0.25, 1]);
    for (const bad of ['', '0', '1.5', 'half', '0.5,-1'])
      expect(() => fractionsFrom(bad)).toThrow(/BENCH_FRACTIONS takes fractions above 0 and at most 1/);
  });
});
