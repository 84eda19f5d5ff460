/**
 * Replicas, one vendor quota and the read cache (issue 16's figure): `REPLICAS_DASHBOARDS` dashboards
 * each ask for one of `REPLICAS_ACCOUNTS` Blnk accounts every 2 s, each refresh through one of two
 * gateway replicas in turn (a round-robin balancer; each replica in its own process), for
 * `REPLICAS_SECONDS`; Blnk allows `REPLICAS_QUOTA` calls a second (its tollbooth's 429 past it), and
 * each replica's `rateLimit` is that quota. Side by side in one run, without the cache and with it
 * (`ttlMs` `REPLICAS_TTL_MS`): both replicas on their own (their own limiter and cache), then the
 * same two sharing the limiter (and the cache) through one redis-server (`server.redis`). Each line:
 * answers a second (those with an error: SOURCE_RATE_LIMITED once the quota is spent; the share
 * answered from a cache), their p50/p99, vendor calls a second, the busiest second's calls, and the
 * vendor's 429s. `npm run bench` runs it with a short default; the issue's full run:
 *
 *   REPLICAS_SECONDS=30 node bench/replicas.ts
 *
 * Reports, asserts nothing. Skipped, with the reason, where redis-server is not installed.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { parseConfig } from '../src/config.ts';
import { createGateway } from '../src/gateway.ts';
import { createLogger } from '../src/logger.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { busiestSecond } from '../src/simulators/recorder.ts';
import { startDemoSources } from '../src/simulators/demo.ts';
import { REDIS_MISSING, startRedis } from '../test/helpers/redis.ts';
import { startReplica } from '../test/helpers/replicas.ts';
import { BALANCES } from './scenarios.ts';

const SECONDS = Number(process.env.REPLICAS_SECONDS ?? 6);
const DASHBOARDS = Number(process.env.REPLICAS_DASHBOARDS ?? 500);
const QUOTA = Number(process.env.REPLICAS_QUOTA ?? 50);
const ACCOUNTS = Number(process.env.REPLICAS_ACCOUNTS ?? 10);
const TTL_MS = Number(process.env.REPLICAS_TTL_MS ?? 1000);
const REFRESH_MS = 2000;
const HIT_CLIENTS = 16;
const ACCOUNT = 'query($id: ID!) { account(id: $id) { address balances { asset total { amount } } } }';

async function run(label: string, redisUrl: string | undefined, cached: boolean): Promise<void> {
  const demo = await startDemoSources();
  const blnk = demo.simulators.blnk;
  const ledger = [...blnk.truth.ledgers()].sort(
    (a, b) => blnk.truth.accounts(b.id).length - blnk.truth.accounts(a.id).length,
  )[0]!;
  const ids = blnk.truth
    .accounts(ledger.id)
    .slice(0, ACCOUNTS)
    .map((account) => encodeGlobalId('Account', ['blnk-demo', ledger.id, account.id]));
  const config = {
    server: { cursorSecret: 'bench-cursor-secret-0123456789', ...(redisUrl ? { redis: { url: redisUrl } } : {}) },
    sources: demo.sources
      .filter((source) => source.name === 'blnk-demo')
      .map((source) => ({
        ...source,
        rateLimit: { requestsPerSecond: QUOTA, burst: 1 },
        ...(cached ? { cache: { ttlMs: TTL_MS } } : {}),
      })),
  };
  const replicas = await Promise.all([startReplica(config), startReplica(config)]);
  blnk.resetRequests();
  blnk.setQuota({ perSecond: QUOTA, burst: Math.max(1, Math.round(QUOTA / 10)) });
  let answers = 0;
  let failed = 0;
  let fromCache = 0;
  const latencies: number[] = [];
  // The balancer's round robin: each request to the next replica, whichever dashboard sent it.
  let turn = 0;
  const started = performance.now();
  const end = started + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: DASHBOARDS }, async (_, dashboard) => {
      // Dashboards opened at different moments: their refreshes spread over the 2 s.
      let next = started + (dashboard / DASHBOARDS) * REFRESH_MS;
      while (next < end) {
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
        const sent = performance.now();
        turn += 1;
        const answer = await replicas[turn % 2]!.query(ACCOUNT, { id: ids[dashboard % ids.length] });
        latencies.push(performance.now() - sent);
        answers += 1;
        if (answer.body.errors) failed += 1;
        if ((answer.body as { extensions?: { cache?: unknown } }).extensions?.cache) fromCache += 1;
        next += REFRESH_MS;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const busiest = busiestSecond(blnk.arrivalTimes);
  latencies.sort((x, y) => x - y);
  const percentile = (p: number) => (latencies[Math.floor((latencies.length - 1) * p)] ?? 0).toFixed(1);
  const share = answers === 0 ? 0 : (100 * fromCache) / answers;
  process.stdout.write(
    `${label.padEnd(50)} ${(answers / elapsed).toFixed(0).padStart(4)} answers/s (${failed} with an error, ${share.toFixed(0)}% cached) p50/p99 ${percentile(0.5)}/${percentile(0.99)} ms  vendor ${(blnk.arrivals / elapsed).toFixed(1).padStart(6)} calls/s (${(blnk.arrivals / Math.max(1, answers)).toFixed(3)} per answer), busiest second ${String(busiest).padStart(4)}, 429s ${blnk.refused}\n`,
  );
  await Promise.all(replicas.map((replica) => replica.stop()));
  await demo.close();
}

/**
 * What a cache hit costs, one gateway in this process, every answer a hit (`ttlMs` 60 s): the Blnk list
 * of 50 from the in-process store, then from the shared store (two tiers: the replica's own store,
 * checked against the source's generation in Redis, one small GET per read).
 */
async function hitCost(label: string, redisUrl: string | undefined): Promise<void> {
  const demo = await startDemoSources();
  const blnk = demo.simulators.blnk;
  const ledger = [...blnk.truth.ledgers()].sort(
    (a, b) => blnk.truth.accounts(b.id).length - blnk.truth.accounts(a.id).length,
  )[0]!;
  const gateway = createGateway(
    parseConfig({
      server: { cursorSecret: 'bench-cursor-secret-0123456789', ...(redisUrl ? { redis: { url: redisUrl } } : {}) },
      sources: demo.sources
        .filter((source) => source.name === 'blnk-demo')
        .map((source) => ({ ...source, cache: { ttlMs: 60_000 } })),
    }),
    { logger: createLogger('silent') },
  );
  const listener = createServer(gateway.yoga);
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const pool = new Pool(`http://127.0.0.1:${(listener.address() as AddressInfo).port}`, { connections: HIT_CLIENTS });
  const body = JSON.stringify({
    query: BALANCES,
    variables: { id: encodeGlobalId('Ledger', ['blnk-demo', ledger.id]) },
  });
  const ask = async () => {
    const response = await pool.request({
      method: 'POST',
      path: '/graphql',
      headers: { 'content-type': 'application/json' },
      body,
    });
    return (await response.body.json()) as { errors?: unknown[] };
  };
  const latencies: number[] = [];
  let failed = 0;
  const load = async (seconds: number) => {
    const end = performance.now() + seconds * 1000;
    await Promise.all(
      Array.from({ length: HIT_CLIENTS }, async () => {
        while (performance.now() < end) {
          const sent = performance.now();
          if ((await ask()).errors) failed += 1;
          latencies.push(performance.now() - sent);
        }
      }),
    );
  };
  // A second unmeasured: the cache filled and the code warm, whichever store runs first.
  await load(1);
  latencies.length = 0;
  failed = 0;
  blnk.resetRequests();
  const started = performance.now();
  await load(SECONDS / 4);
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((x, y) => x - y);
  const percentile = (p: number) => (latencies[Math.floor((latencies.length - 1) * p)] ?? 0).toFixed(1);
  process.stdout.write(
    `${label.padEnd(50)} ${(latencies.length / elapsed).toFixed(0).padStart(5)} req/s p50/p99 ${percentile(0.5)}/${percentile(0.99)} ms, vendor calls ${blnk.arrivals} (${failed} with an error)\n`,
  );
  await pool.close();
  listener.close();
  await gateway.close();
  await demo.close();
}

process.stdout.write(
  `\nreplicas: ${DASHBOARDS} dashboards, ${ACCOUNTS} Blnk accounts, refreshing every 2 s for ${SECONDS} s through two replicas in turn; Blnk allows ${QUOTA} calls/s, each replica's rateLimit ${QUOTA}/s; cache ttlMs ${TTL_MS}\n`,
);
if (REDIS_MISSING) process.stdout.write(`skipped: ${REDIS_MISSING}\n`);
else {
  await run('no cache, each replica its own limiter', undefined, false);
  await run('per-replica cache, each replica its own limiter', undefined, true);
  // A fresh redis-server for each run: no booked turn or cached read carries over.
  for (const [label, cached] of [
    ['no cache, one limiter shared (server.redis)', false],
    ['cache and limiter shared (server.redis)', true],
  ] as const) {
    const redis = await startRedis();
    try {
      await run(label, redis.url, cached);
    } finally {
      await redis.stop();
    }
  }
  process.stdout.write(
    `\nread cache hits: the Blnk list of 50, ${HIT_CLIENTS} clients for ${SECONDS / 4} s, one gateway, every read a hit\n`,
  );
  // Twice each, alternating: neither store gains from running second on a warmer process.
  const redis = await startRedis();
  try {
    for (const round of [1, 2]) {
      await hitCost(`in-process store (round ${round})`, undefined);
      await hitCost(`shared store, server.redis (round ${round})`, redis.url);
    }
  } finally {
    await redis.stop();
  }
}
