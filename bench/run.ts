/**
 * `npm run bench`: starts the demo simulators (in a child process) and the gateway on loopback, drives fixed queries
 * at a fixed concurrency for a fixed time each, and prints throughput, latency percentiles and
 * upstream calls per GraphQL request. A baseline scenario calls a simulator directly, so the
 * gateway's cost shows as a ratio measured in the same run. Bounded in count and time. Ends with
 * the load section (bench/load.ts): 1,000 clients, the share shed, latency and the gateway's RSS;
 * then fairness (bench/fairness.ts) and, with BENCH_BASELINE=<commit>, bench:compare against it.
 *
 *   BENCH_SECONDS=3 BENCH_CONCURRENCY=16 npm run bench
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { getOperationAST, getVariableValues, parse } from 'graphql';
import { parseConfig } from '../src/config.ts';
import { bracketNesting } from '../src/limits/bracket-nesting.ts';
import { estimateCost } from '../src/limits/cost.ts';
import { measureShape } from '../src/limits/shape.ts';
import { createSchema } from '../src/server.ts';
import { createGateway } from '../src/gateway.ts';
import { createLogger } from '../src/logger.ts';
import type { SimulatorFault } from '../src/simulators/faults.ts';
import { runLoad } from './load.ts';
import { postGraphQL } from './post-graphql.ts';
import { ALL_FIVE, BALANCES, BY_ID, NESTED } from './scenarios.ts';
import { versusPassthrough } from './versus-passthrough.ts';
import { quantile } from './side-by-side.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const MAX_REQUESTS = 200_000;

interface Scenario {
  name: string;
  /** Sends one request; resolves when its body is read. Throws on a failed answer. */
  send: () => Promise<void>;
}

interface Result {
  name: string;
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** Upstream calls one request makes when it runs alone. */
  upstreamAlone: number;
  /** Upstream calls per request under load, where identical in-flight vendor GETs are shared. */
  upstreamPerRequest: number;
}

interface Ready {
  type: 'ready';
  sources: Array<Record<string, unknown>>;
  blnkUrl: string;
  /** The biggest ledger of each simulator. */
  blnkLedger: { id: string; name: string };
  formanceLedger: { id: string; name: string };
  midazLedger: { id: string; name: string };
}
const vendors = fork(new URL('./simulators.ts', import.meta.url), { stdio: 'inherit' });
const [ready] = (await once(vendors, 'message')) as [Ready];
let counted: (total: number) => void = () => {};
let faulted: () => void = () => {};
vendors.on('message', (message: { type: string; total: number }) => {
  if (message.type === 'count') counted(message.total);
  if (message.type === 'faulted') faulted();
});
/** Upstream requests every simulator (or one vendor's) has received so far. */
const upstream = async (vendor?: string): Promise<number> => {
  const total = new Promise<number>((resolve) => (counted = resolve));
  vendors.send(vendor === undefined ? 'count' : { type: 'count-vendor', vendor });
  return total;
};
/** Switches a vendor's simulator to a fault mode (null: healthy again). */
const setFault = async (vendor: string, fault: SimulatorFault | null): Promise<void> => {
  const done = new Promise<void>((resolve) => (faulted = resolve));
  vendors.send({ type: 'fault', vendor, fault });
  return done;
};

/** A gateway over the simulators on its own loopback port; `sourceSettings` go into every source entry. */
async function startGateway(sourceSettings: Record<string, unknown> = {}) {
  const config = parseConfig({
    server: { cursorSecret: 'bench-cursor-secret-0123456789' },
    sources: ready.sources.map((source) => ({ ...source, ...sourceSettings })),
  });
  const instance = createGateway(config, { logger: createLogger('silent') });
  const listener = createServer(instance.yoga);
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const pool = new Pool(`http://127.0.0.1:${(listener.address() as AddressInfo).port}`, { connections: CONCURRENCY });
  /** Posts a query; with `partial`, an answer with errors (a sick source) is expected and returned. */
  const ask = (query: string, variables: Record<string, unknown> = {}, partial = false) =>
    postGraphQL(pool, query, variables, partial);
  const close = async () => {
    await pool.close();
    listener.close();
    await instance.close();
  };
  return { ask, close };
}

const main = await startGateway();
const graphql = async (query: string, variables: Record<string, unknown> = {}) =>
  (await main.ask(query, variables)).data;

// Fixtures: the biggest ledger of each source (300+ accounts), and 50 account IDs of each.
const listed = (await graphql(
  '{ ledgers(first: 100) { nodes { id name source { name } accounts(first: 50) { totalCount nodes { id } } } } }',
)) as {
  ledgers: {
    nodes: Array<{ id: string; name: string; source: { name: string }; accounts: { nodes: Array<{ id: string }> } }>;
  };
};
const pick = (source: string, name: string) =>
  listed.ledgers.nodes.find((ledger) => ledger.source.name === source && ledger.name === name)!;
const formanceLedger = pick('formance-demo', ready.formanceLedger.name);
const blnkLedger = pick('blnk-demo', ready.blnkLedger.name);
const midazLedger = pick('midaz-demo', ready.midazLedger.name);
const blnkDirect = new Pool(ready.blnkUrl, { connections: CONCURRENCY });
const blnkKey = (ready.sources.find((source) => source.kind === 'blnk') as { auth: { apiKey: string } }).auth.apiKey;
const blnkLedgerId = ready.blnkLedger.id;

const scenarios: Scenario[] = [
  {
    name: 'baseline: Blnk GET /balances?limit=50 direct (no gateway)',
    send: async () => {
      const response = await blnkDirect.request({
        method: 'GET',
        path: `/balances?ledger_id_eq=${blnkLedgerId}&limit=50&offset=0`,
        headers: { 'x-blnk-key': blnkKey },
      });
      await response.body.text();
      if (response.statusCode !== 200) throw new Error(`baseline failed: ${response.statusCode}`);
    },
  },
  { name: 'blnk: list of 50 balances', send: async () => void (await graphql(BALANCES, { id: blnkLedger.id })) },
  {
    name: 'formance: list of 50 balances',
    send: async () => void (await graphql(BALANCES, { id: formanceLedger.id })),
  },
  {
    name: "blnk: 50 accounts' balances by id",
    send: async () => void (await graphql(BY_ID, { ids: blnkLedger.accounts.nodes.map((node) => node.id) })),
  },
  {
    name: "formance: 50 accounts' balances by id",
    send: async () => void (await graphql(BY_ID, { ids: formanceLedger.accounts.nodes.map((node) => node.id) })),
  },
  {
    name: 'blnk: ledger → 20 accounts → balances',
    send: async () => void (await graphql(NESTED, { id: blnkLedger.id })),
  },
  {
    name: 'formance: ledger → 20 accounts → balances',
    send: async () => void (await graphql(NESTED, { id: formanceLedger.id })),
  },
  { name: 'all five sources: ledgers → 3 accounts each → balances', send: async () => void (await graphql(ALL_FIVE)) },
  { name: 'midaz: list of 50 balances', send: async () => void (await graphql(BALANCES, { id: midazLedger.id })) },
  {
    name: "midaz: 50 accounts' balances by id (fan-out)",
    send: async () => void (await graphql(BY_ID, { ids: midazLedger.accounts.nodes.map((node) => node.id) })),
  },
  {
    name: 'midaz: ledger → 20 accounts → balances',
    send: async () => void (await graphql(NESTED, { id: midazLedger.id })),
  },
];

async function measure(scenario: Scenario, warmups = 20): Promise<Result> {
  for (let warm = 0; warm < warmups; warm += 1) await scenario.send();
  const alone = await upstream();
  await scenario.send();
  const upstreamAlone = (await upstream()) - alone;
  const latencies: number[] = [];
  const before = await upstream();
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline && latencies.length < MAX_REQUESTS) {
        const begin = performance.now();
        await scenario.send();
        latencies.push(performance.now() - begin);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => quantile(latencies, q);
  const direct = scenario.name.startsWith('baseline');
  return {
    name: scenario.name,
    requests: latencies.length,
    perSecond: latencies.length / elapsed,
    p50: at(0.5),
    p99: at(0.99),
    upstreamAlone: direct ? 1 : upstreamAlone,
    upstreamPerRequest: direct ? 1 : ((await upstream()) - before) / latencies.length,
  };
}

const results: Result[] = [];
process.stdout.write(
  `balance-gateway bench: ${SECONDS}s per scenario, concurrency ${CONCURRENCY}, Node ${process.versions.node}\n` +
    '"upstream alone": vendor calls of one request run by itself; "under load": per request, with identical in-flight vendor GETs shared\n\n',
);
for (const scenario of scenarios) {
  const result = await measure(scenario);
  results.push(result);
  process.stdout.write(
    `${result.name.padEnd(58)} ${result.perSecond.toFixed(0).padStart(6)} req/s  p50 ${result.p50.toFixed(2).padStart(6)} ms  p99 ${result.p99.toFixed(2).padStart(6)} ms  upstream: ${String(result.upstreamAlone).padStart(2)} alone, ${result.upstreamPerRequest.toFixed(2)}/req under load\n`,
  );
}
// What the operation limits add to every request, measured in process on the all-five query.
{
  const schema = createSchema();
  const document = parse(ALL_FIVE);
  const operation = getOperationAST(document)!;
  const checks: Array<[string, () => unknown]> = [
    ['parse (yoga caches it per document)', () => parse(ALL_FIVE)],
    ['bracket nesting scan', () => bracketNesting(ALL_FIVE, 40)],
    ['depth and aliases (cached per document)', () => measureShape(document, operation)],
    [
      'variables, page sizes, IDs and cost (every request)',
      () => estimateCost(schema, document, operation, getVariableValues(schema, [], {}).coerced!),
    ],
  ];
  process.stdout.write('\nper-request limit checks on the all-five query (in process)\n');
  for (const [name, run] of checks) {
    for (let warm = 0; warm < 2000; warm += 1) run();
    const started = performance.now();
    for (let round = 0; round < 20_000; round += 1) run();
    process.stdout.write(
      `${name.padEnd(58)} ${(((performance.now() - started) * 1000) / 20_000).toFixed(2).padStart(6)} µs\n`,
    );
  }
}
const baseline = results[0]!;
const blnkList = results[1]!;
process.stdout.write(
  `\nratio (same run): gateway "blnk: list of 50 balances" vs the direct vendor call: ${(baseline.perSecond / blnkList.perSecond).toFixed(2)}x the time per request at equal concurrency, p50 ${(blnkList.p50 / baseline.p50).toFixed(2)}x\n`,
);
process.stdout.write(
  `rss ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB (gateway and load generator; the simulators run in a child process)\n`,
);

await blnkDirect.close();
await main.close();

// The gateway against the bare passthrough, interleaved in processes of their own (bench/versus-passthrough.ts).
await versusPassthrough(vendors, ready.sources, blnkLedger);

// Faults. A deadline of 1 s per source; the sick vendor is Blnk, the other four stay healthy.
const DEADLINE_MS = 1000;
process.stdout.write(
  `\nfaults (per-source deadline ${DEADLINE_MS} ms; the sick vendor is Blnk, the other four healthy)\n`,
);
const report = (result: Result, extra: string) =>
  process.stdout.write(
    `${result.name.padEnd(58)} ${result.perSecond.toFixed(0).padStart(6)} req/s  p50 ${result.p50.toFixed(2).padStart(7)} ms  p99 ${result.p99.toFixed(2).padStart(7)} ms  ${extra}\n`,
  );
const allFive = (gatewayUnderTest: Awaited<ReturnType<typeof startGateway>>) => async () => {
  const { errors } = await gatewayUnderTest.ask(ALL_FIVE, {}, true);
  if (errors !== 1) throw new Error(`expected one error for the sick source, got ${errors}`);
};

// 1. One source hung, breaker out of the way: every request waits for the deadline, and no longer.
const patient = await startGateway({
  timeoutMs: DEADLINE_MS,
  circuitBreaker: { failureThreshold: 1000, openMs: 60_000 },
});
await setFault('blnk', 'hang');
const hung = await measure({ name: 'all five, Blnk hung (breaker off)', send: allFive(patient) }, 0);
report(hung, `p99 − deadline: ${(hung.p99 - DEADLINE_MS).toFixed(0)} ms (target ≤ 300)`);
await setFault('blnk', null);
await patient.close();

// 2. One source failing with the breaker on: once open, the sick vendor gets no calls and requests stop waiting for it.
const guarded = await startGateway({ timeoutMs: DEADLINE_MS, circuitBreaker: { failureThreshold: 5, openMs: 30_000 } });
await setFault('blnk', 'hang');
for (let call = 0; call < 5; call += 1) await allFive(guarded)();
const blnkBefore = await upstream('blnk');
const open = await measure({ name: 'all five, Blnk hung, breaker open', send: allFive(guarded) }, 0);
const blnkCalls = (await upstream('blnk')) - blnkBefore;
report(open, `Blnk calls while open: ${blnkCalls} in ${open.requests} requests`);
await setFault('blnk', null);
await guarded.close();

// 3. Memory after 10,000 requests that each meet a faulty vendor (breaker off, so every one is a real failing call).
const gc = (globalThis as { gc?: () => void }).gc;
const exposed = await startGateway({
  timeoutMs: DEADLINE_MS,
  circuitBreaker: { failureThreshold: 1_000_000, openMs: 60_000 },
});
const ONE_LEDGER =
  '{ ledgers(first: 30) { nodes { name accounts(first: 2) { nodes { balances { total { amount } } } } } } }';
const faults: SimulatorFault[] = [
  'html-error',
  'stack-trace',
  'truncated',
  'not-json',
  'wrong-shape',
  'bad-amounts',
  'reset',
  'rate-limited',
  'unauthorized',
  'redirect',
];
for (let warm = 0; warm < 200; warm += 1) await exposed.ask(ONE_LEDGER, {}, true);
gc?.();
const rssBefore = process.memoryUsage().rss;
const heapBefore = process.memoryUsage().heapUsed;
let faulty = 0;
const faultStarted = performance.now();
for (const fault of faults) {
  await setFault('blnk', fault);
  let sent = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (sent < 1000) {
        sent += 1;
        const { errors } = await exposed.ask(ONE_LEDGER, {}, true);
        if (errors > 0) faulty += 1;
      }
    }),
  );
}
await setFault('blnk', null);
gc?.();
const rssAfter = process.memoryUsage().rss;
const heapAfter = process.memoryUsage().heapUsed;
process.stdout.write(
  `10,000 requests over 10 fault modes (${faulty} answered with a coded error) in ${((performance.now() - faultStarted) / 1000).toFixed(1)} s: ` +
    `rss ${(rssBefore / 2 ** 20).toFixed(0)} → ${(rssAfter / 2 ** 20).toFixed(0)} MiB, heap used ${(heapBefore / 2 ** 20).toFixed(0)} → ${(heapAfter / 2 ** 20).toFixed(0)} MiB${gc ? ' (after gc)' : ''}\n`,
);
await exposed.close();

// Load: 1,000 clients against the CLI in its own process (bench/load.ts).
await runLoad(ready.sources);
vendors.send('stop');
await once(vendors, 'exit');

// What metrics and tracing cost per request, off and on side by side (bench/telemetry.ts).
await import('./telemetry.ts');
// Fair sharing: a light Midaz lookup alone and beside a heavy operation (its own slow simulator).
await import('./fairness.ts');

// Vendor quotas: Blnk's 429s and vendor calls a second without and with sources[].rateLimit (bench/quota.ts).
await import('./quota.ts');
// The read cache: req/s, p50/p99 and vendor calls per request, cache off vs on (bench/cache.ts).
await import('./cache.ts');
// Two replicas, one vendor quota and the read cache: each on its own, then sharing them through Redis (bench/replicas.ts).
await import('./replicas.ts');

// Side by side with an earlier commit, when one is named (bench/compare.ts): BENCH_BASELINE=<commit>.
if (process.env.BENCH_BASELINE) await import('./compare.ts');
