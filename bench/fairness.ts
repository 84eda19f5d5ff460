/**
 * Fair sharing, as a figure: the latency of a light Midaz lookup (one account and its balances)
 * alone, and while one heavy operation (20 aliased hourly histories: 480 point-in-time reads)
 * saturates the source, whose `concurrency` is 8. Midaz is the simulator answering after
 * `FAIRNESS_LATENCY_MS` (default 20). `npm run bench` ends with this section; alone:
 *
 *   FAIRNESS_LATENCY_MS=20 node bench/fairness.ts
 *
 * Request ids are 8 characters or more, so the gateway passes them on to Midaz, which logs them.
 * Only APIs an earlier checkout has too, so the same file measures it (copied into that tree).
 * Reports, asserts nothing.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { parseConfig } from '../src/config.ts';
import { createGateway } from '../src/gateway.ts';
import { createLogger } from '../src/logger.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { midazDemo } from '../src/simulators/midaz/demo.ts';
import { MIDAZ_DEMO_TOKEN, startMidazSimulator } from '../src/simulators/midaz/index.ts';

const LATENCY_MS = Number(process.env.FAIRNESS_LATENCY_MS ?? 20);
const SAMPLES = 15;

const midaz = await startMidazSimulator({ token: MIDAZ_DEMO_TOKEN, latencyMs: LATENCY_MS });
const gateway = createGateway(
  parseConfig({ sources: [{ name: 'midaz', kind: 'midaz', url: midaz.url, ...midazDemo.source(), concurrency: 8 }] }),
  { logger: createLogger('silent') },
);
const listener = createServer(gateway.yoga);
await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
const pool = new Pool(`http://127.0.0.1:${(listener.address() as AddressInfo).port}`, { connections: 4 });
const ask = async (query: string, variables: Record<string, unknown>, tag: string) => {
  const response = await pool.request({
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json', 'x-request-id': tag },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.body.json()) as { errors?: unknown[] };
  if (body.errors) throw new Error(`fairness bench: ${JSON.stringify(body.errors).slice(0, 300)}`);
};

const ledger = [...midaz.truth.ledgers()].sort(
  (a, b) => midaz.truth.accounts(b.id).length - midaz.truth.accounts(a.id).length,
)[0]!;
const [heavyAccount, lightAccount] = midaz.truth.accounts(ledger.id);
const asset = midaz.truth.balances(ledger.id).find((balance) => balance.accountId === heavyAccount!.id)!.asset;
const day = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 30 * 86_400_000;
const histories = Array.from({ length: 20 }, (_, index) => {
  const from = new Date(day + index * 86_400_000).toISOString();
  const to = new Date(day + index * 86_400_000 + 23 * 3_600_000).toISOString();
  return `h${index}: history(asset: "${asset}", from: "${from}", to: "${to}", interval: HOUR, first: 24) { nodes { at } }`;
});
const HEAVY = `query($id: ID!) { account(id: $id) { ${histories.join(' ')} } }`;
const LIGHT = 'query($id: ID!) { account(id: $id) { address balances { asset total { amount } } } }';
const heavyId = { id: encodeGlobalId('Account', ['midaz', ledger.id, heavyAccount!.id]) };
const lightId = { id: encodeGlobalId('Account', ['midaz', ledger.id, lightAccount!.id]) };

const light = async (samples: number, while_: () => boolean = () => true) => {
  const times: number[] = [];
  for (let sample = 0; sample < samples && while_(); sample += 1) {
    const started = performance.now();
    await ask(LIGHT, lightId, `light-sample-${sample}`);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
};
const ms = (value: number | undefined) => `${(value ?? Number.NaN).toFixed(0).padStart(5)} ms`;

await light(5); // warm
const alone = await light(SAMPLES);
await ask(HEAVY, heavyId, 'heavy-warm-up'); // the heavy operation alone, once, for its own time
let heavyDone = false;
const heavyStarted = performance.now();
const heavy = ask(HEAVY, heavyId, 'heavy-operation').then(() => {
  heavyDone = true;
});
const heavyCalls = () =>
  midaz.requests.filter((request) => request.headers['x-request-id'] === 'heavy-operation').length;
while (heavyCalls() < 16 && !heavyDone) await new Promise((resolve) => setTimeout(resolve, 2));
const during = await light(SAMPLES, () => !heavyDone);
await heavy;
const heavyMs = performance.now() - heavyStarted;

process.stdout.write(
  `\nfairness (Midaz answering in ${LATENCY_MS} ms, concurrency 8; heavy: 20 aliased hourly histories, 480 reads, ${ms(heavyMs).trim()})\n` +
    `${'light lookup alone'.padEnd(58)} p50 ${ms(alone[alone.length >> 1])}  max ${ms(alone.at(-1))}  (${alone.length} samples)\n` +
    `${'light lookup while the heavy operation saturates Midaz'.padEnd(58)} p50 ${ms(during[during.length >> 1])}  max ${ms(during.at(-1))}  (${during.length} samples)\n`,
);
await pool.close();
listener.close();
await gateway.close();
await midaz.close();
