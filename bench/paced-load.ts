import { setTimeout as sleep } from 'node:timers/promises';
import type { Pool } from 'undici';
import { quantile } from './side-by-side.ts';

/** What one paced run saw (latencies in ms). */
export interface PacedReport {
  /** Requests the schedule held. */
  readonly scheduled: number;
  /** Answered with status 200 and no GraphQL errors. */
  readonly answered: number;
  /** Answered otherwise, or failed on the way. */
  readonly failed: number;
  /** Still unanswered at the deadline after the schedule's end. */
  readonly unanswered: number;
  /** Answers per second over the schedule's length. */
  readonly perSecond: number;
  /** Over the answered and the unanswered (as infinitely slow); not over the failed. */
  readonly p50: number;
  readonly p99: number;
  /** The 99th percentile of how late this process sent a request after its scheduled time: above a
   * millisecond or two, the load generator itself was short of CPU and the latencies say so. */
  readonly sendLagP99: number;
}

/**
 * POSTs `bodies` in turn to `path` over `pool` on a fixed schedule: `rate` requests per second for
 * `seconds`, whatever the server's answers do. Each latency counts from the request's scheduled
 * time, not from when it left: a request that waited for one of the pool's connections, or for
 * this process, waited as a client sending at that rate would have (wrk2's way; wrk's closed loop
 * sends nothing while its connections wait, and corrects afterwards). Answers still missing
 * `deadlineMs` after the schedule's end are counted as unanswered, never waited for longer.
 */
export async function pacedLoad(options: {
  pool: Pool;
  path?: string;
  bodies: readonly string[];
  rate: number;
  seconds: number;
  deadlineMs?: number;
}): Promise<PacedReport> {
  const { pool, bodies, rate, seconds } = options;
  if (!(rate > 0) || !(seconds > 0) || bodies.length === 0)
    throw new Error('pacedLoad takes a rate and seconds above 0, and at least one body');
  const total = Math.max(1, Math.round(rate * seconds));
  const interval = 1000 / rate;
  const latencies: number[] = [];
  const lags: number[] = [];
  let failed = 0;
  let settled = 0;
  let allSettled: (() => void) | undefined;
  const settle = () => {
    settled += 1;
    if (settled === total) allSettled?.();
  };
  const send = (scheduled: number, body: string) => {
    lags.push(performance.now() - scheduled);
    pool
      .request({
        method: 'POST',
        path: options.path ?? '/graphql',
        headers: { 'content-type': 'application/json' },
        body,
      })
      .then(async (response) => {
        const text = await response.body.text();
        if (response.statusCode === 200 && !text.includes('"errors"')) latencies.push(performance.now() - scheduled);
        else failed += 1;
      })
      .catch(() => {
        failed += 1;
      })
      .finally(settle);
  };
  const start = performance.now() + 10;
  let next = 0;
  while (next < total) {
    const now = performance.now();
    while (next < total && start + next * interval <= now) {
      send(start + next * interval, bodies[next % bodies.length]!);
      next += 1;
    }
    await sleep(1);
  }
  const end = start + total * interval;
  const deadline = options.deadlineMs ?? 10_000;
  if (settled < total) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      new Promise<void>((resolve) => {
        allSettled = resolve;
      }),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, Math.max(0, end + deadline - performance.now()));
      }),
    ]);
    clearTimeout(timer);
  }
  const unanswered = total - settled;
  // An answer that never came is slower than any that did: it counts in the quantiles as such.
  const counted = [...latencies, ...Array<number>(unanswered).fill(Number.POSITIVE_INFINITY)].sort((a, b) => a - b);
  lags.sort((a, b) => a - b);
  return {
    scheduled: total,
    answered: latencies.length,
    failed,
    unanswered,
    perSecond: latencies.length / ((end - start) / 1000),
    p50: quantile(counted, 0.5),
    p99: quantile(counted, 0.99),
    sendLagP99: quantile(lags, 0.99),
  };
}

/** BENCH_FRACTIONS's fractions of the saturated rate: each above 0 and at most 1. */
export function fractionsFrom(value: string | undefined): number[] {
  const fractions = (value ?? '0.5,0.8')
    .split(',')
    .map((word) => word.trim())
    .filter(Boolean)
    .map(Number);
  if (fractions.length === 0 || fractions.some((fraction) => !(fraction > 0 && fraction <= 1)))
    throw new Error(`BENCH_FRACTIONS takes fractions above 0 and at most 1, such as 0.5,0.8; got "${value}"`);
  return fractions;
}
