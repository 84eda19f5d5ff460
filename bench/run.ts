/**
 * `npm run bench`: starts the demo simulators (in a child process) and the gateway on loopback, drives fixed queries
 * at a fixed concurrency for a fixed time each, and prints throughput, latency percentiles and
 * upstream calls per GraphQL request. A baseline scenario calls a simulator directly, so the
 * gateway's cost shows as a ratio measured in the same run. Bounded in count and time.
 *
 *   BENCH_SECONDS=3 BENCH_CONCURRENCY=16 npm run bench
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { parseConfig } from '../src/config.ts';
import { createGateway } from '../src/gateway.ts';
import { createLogger } from '../src/logger.ts';

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
vendors.on('message', (message: { type: string; total: number }) => {
  if (message.type === 'count') counted(message.total);
});
/** Upstream requests every simulator has received so far. */
const upstream = async (): Promise<number> => {
  const total = new Promise<number>((resolve) => (counted = resolve));
  vendors.send('count');
  return total;
};

const gateway = createGateway(parseConfig({ server: { cursorSecret: 'bench-cursor-secret-0123456789' }, sources: ready.sources }), { logger: createLogger('silent') });
const server = createServer(gateway.yoga);
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const client = new Pool(origin, { connections: CONCURRENCY });

async function graphql(query: string, variables: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const response = await client.request({ method: 'POST', path: '/graphql', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query, variables }) });
  const body = (await response.body.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  if (response.statusCode !== 200 || body.errors) throw new Error(`bench query failed: ${JSON.stringify(body.errors ?? response.statusCode).slice(0, 300)}`);
  return body.data ?? {};
}

// Fixtures: the biggest ledger of each source (300+ accounts), and 50 account IDs of each.
const listed = (await graphql('{ ledgers(first: 100) { nodes { id name source { name } accounts(first: 50) { totalCount nodes { id } } } } }')) as {
  ledgers: { nodes: Array<{ id: string; name: string; source: { name: string }; accounts: { nodes: Array<{ id: string }> } }> };
};
const pick = (source: string, name: string) => listed.ledgers.nodes.find((ledger) => ledger.source.name === source && ledger.name === name)!;
const formanceLedger = pick('formance-demo', ready.formanceLedger.name);
const blnkLedger = pick('blnk-demo', ready.blnkLedger.name);
const midazLedger = pick('midaz-demo', ready.midazLedger.name);
const blnkDirect = new Pool(ready.blnkUrl, { connections: CONCURRENCY });
const blnkKey = (ready.sources.find((source) => source.kind === 'blnk') as { auth: { apiKey: string } }).auth.apiKey;
const blnkLedgerId = ready.blnkLedger.id;

const BALANCES = 'query($id: ID!) { ledger(id: $id) { balances(first: 50) { nodes { asset total { amount minorUnits } available { amount } } } } }';
const BY_ID = 'query($ids: [ID!]!) { nodes(ids: $ids) { ... on Account { address balances { asset total { amount } } } } }';
const ALL_FIVE = '{ ledgers(first: 30) { nodes { name source { kind } accounts(first: 3) { nodes { address balances { asset total { amount } } } } } } }';
const NESTED = 'query($id: ID!) { ledger(id: $id) { name accounts(first: 20) { nodes { address balances { asset total { amount minorUnits scale } } } pageInfo { hasNextPage endCursor } } } }';

const scenarios: Scenario[] = [
  {
    name: 'baseline: Blnk GET /balances?limit=50 direct (no gateway)',
    send: async () => {
      const response = await blnkDirect.request({ method: 'GET', path: `/balances?ledger_id_eq=${blnkLedgerId}&limit=50&offset=0`, headers: { 'x-blnk-key': blnkKey } });
      await response.body.text();
      if (response.statusCode !== 200) throw new Error(`baseline failed: ${response.statusCode}`);
    },
  },
  { name: 'blnk: list of 50 balances', send: async () => void (await graphql(BALANCES, { id: blnkLedger.id })) },
  { name: 'formance: list of 50 balances', send: async () => void (await graphql(BALANCES, { id: formanceLedger.id })) },
  { name: 'blnk: 50 accounts\' balances by id', send: async () => void (await graphql(BY_ID, { ids: blnkLedger.accounts.nodes.map((node) => node.id) })) },
  { name: 'formance: 50 accounts\' balances by id', send: async () => void (await graphql(BY_ID, { ids: formanceLedger.accounts.nodes.map((node) => node.id) })) },
  { name: 'blnk: ledger → 20 accounts → balances', send: async () => void (await graphql(NESTED, { id: blnkLedger.id })) },
  { name: 'formance: ledger → 20 accounts → balances', send: async () => void (await graphql(NESTED, { id: formanceLedger.id })) },
  { name: 'all five sources: ledgers → 3 accounts each → balances', send: async () => void (await graphql(ALL_FIVE)) },
  { name: 'midaz: list of 50 balances', send: async () => void (await graphql(BALANCES, { id: midazLedger.id })) },
  { name: 'midaz: 50 accounts\' balances by id (fan-out)', send: async () => void (await graphql(BY_ID, { ids: midazLedger.accounts.nodes.map((node) => node.id) })) },
  { name: 'midaz: ledger → 20 accounts → balances', send: async () => void (await graphql(NESTED, { id: midazLedger.id })) },
];

async function measure(scenario: Scenario): Promise<Result> {
  for (let warm = 0; warm < 20; warm += 1) await scenario.send();
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
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
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
const baseline = results[0]!;
const blnkList = results[1]!;
process.stdout.write(
  `\nratio (same run): gateway "blnk: list of 50 balances" vs the direct vendor call: ${(baseline.perSecond / blnkList.perSecond).toFixed(2)}x the time per request at equal concurrency, p50 ${(blnkList.p50 / baseline.p50).toFixed(2)}x\n`,
);
process.stdout.write(`rss ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB (gateway and load generator; the simulators run in a child process)\n`);

await client.close();
await blnkDirect.close();
server.close();
await gateway.close();
vendors.send('stop');
await once(vendors, 'exit');
