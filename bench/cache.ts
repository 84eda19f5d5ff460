/**
 * The read cache, as figures: the Blnk list of 50 balances and the all-five nested query, each with
 * `sources[].cache` off and on (`ttlMs: 1000`), side by side in one run: GraphQL answers a second,
 * p50/p99 latency (ms) and vendor calls per answer (arrivals at the simulators). `CACHE_CLIENTS`
 * clients send the same query over and over for `CACHE_SECONDS`. `npm run bench` runs it; alone:
 *
 *   CACHE_SECONDS=3 CACHE_CLIENTS=16 npx node bench/cache.ts
 *
 * Reports, asserts nothing. The simulators run in this process, so absolute rates are lower than run.ts's.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { parseConfig } from '../src/config.ts';
import { createGateway } from '../src/gateway.ts';
import { createLogger } from '../src/logger.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { startDemoSources } from '../src/simulators/demo.ts';
import { ALL_FIVE, BALANCES } from './scenarios.ts';

const SECONDS = Number(process.env.CACHE_SECONDS ?? 3);
const CLIENTS = Number(process.env.CACHE_CLIENTS ?? 16);

const demo = await startDemoSources();
const blnk = demo.simulators.blnk;
const ledger = [...blnk.truth.ledgers()].sort(
  (a, b) => blnk.truth.accounts(b.id).length - blnk.truth.accounts(a.id).length,
)[0]!;
const scenarios = [
  {
    name: 'blnk: list of 50 balances',
    query: BALANCES,
    variables: { id: encodeGlobalId('Ledger', ['blnk-demo', ledger.id]) },
  },
  { name: 'all five: ledgers → accounts → balances', query: ALL_FIVE, variables: {} },
];

const arrivals = () => Object.values(demo.simulators).reduce((sum, simulator) => sum + simulator.arrivals, 0);
const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

async function run(label: string, scenario: (typeof scenarios)[number], cache: Record<string, number> | undefined) {
  const gateway = createGateway(
    parseConfig({
      server: { cursorSecret: 'bench-cursor-secret-0123456789' },
      sources: demo.sources.map((source) => ({ ...source, ...(cache ? { cache } : {}) })),
    }),
    { logger: createLogger('silent') },
  );
  const listener = createServer(gateway.yoga);
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const pool = new Pool(`http://127.0.0.1:${(listener.address() as AddressInfo).port}`, { connections: CLIENTS });
  const body = JSON.stringify({ query: scenario.query, variables: scenario.variables });
  const latencies: number[] = [];
  let failed = 0;
  const before = arrivals();
  const started = performance.now();
  const end = started + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < end) {
        const sent = performance.now();
        const response = await pool.request({
          method: 'POST',
          path: '/graphql',
          headers: { 'content-type': 'application/json' },
          body,
        });
        const answer = (await response.body.json()) as { errors?: unknown[] };
        latencies.push(performance.now() - sent);
        if (answer.errors) failed += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const calls = arrivals() - before;
  latencies.sort((a, b) => a - b);
  process.stdout.write(
    `${`${scenario.name}, ${label}`.padEnd(62)} ${(latencies.length / elapsed).toFixed(0).padStart(6)} req/s  p50 ${percentile(latencies, 0.5).toFixed(1).padStart(6)} ms  p99 ${percentile(latencies, 0.99).toFixed(1).padStart(6)} ms  vendor calls/request ${(calls / latencies.length).toFixed(3).padStart(7)}  (${failed} with an error)\n`,
  );
  await pool.close();
  listener.close();
  await gateway.close();
}

process.stdout.write(`\nread cache: ${CLIENTS} clients for ${SECONDS} s each, cache off vs on (ttlMs 1000)\n`);
for (const scenario of scenarios) {
  await run('cache off', scenario, undefined);
  await run('cache on, ttlMs 1000', scenario, { ttlMs: 1000 });
}
await demo.close();
