/**
 * Vendor quotas, as a figure: Blnk keeps a quota of `QUOTA_RPS` calls a second (a token bucket of
 * burst `QUOTA_BURST`, refused with 429 as its tollbooth does) and `QUOTA_CLIENTS` clients ask the
 * gateway for one account each, over and over, for `QUOTA_SECONDS`. Side by side in one run: the
 * gateway without `rateLimit`, and with `rateLimit: { requestsPerSecond: QUOTA_RPS, burst: 2 }`.
 * Each line: GraphQL answers a second (and those with an error), vendor calls a second, the busiest
 * second's calls, and the vendor's 429s. `npm run bench` runs it; alone:
 *
 *   QUOTA_RPS=50 QUOTA_SECONDS=5 node bench/quota.ts
 *
 * Reports, asserts nothing.
 */
import { createServer } from 'node:http';
import { busiestSecond } from '../src/simulators/recorder.ts';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { parseConfig } from '../src/config.ts';
import { createGateway } from '../src/gateway.ts';
import { createLogger } from '../src/logger.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { blnkDemo } from '../src/simulators/blnk/demo.ts';

const RPS = Number(process.env.QUOTA_RPS ?? 50);
const BURST = Number(process.env.QUOTA_BURST ?? 10);
const SECONDS = Number(process.env.QUOTA_SECONDS ?? 5);
const CLIENTS = Number(process.env.QUOTA_CLIENTS ?? 32);
const ACCOUNT = 'query($id: ID!) { account(id: $id) { address balances { asset total { amount } } } }';

const blnk = await blnkDemo.start();
const ledger = [...blnk.truth.ledgers()].sort(
  (a, b) => blnk.truth.accounts(b.id).length - blnk.truth.accounts(a.id).length,
)[0]!;
const ids = blnk.truth.accounts(ledger.id).map((account) => encodeGlobalId('Account', ['blnk', ledger.id, account.id]));

async function run(label: string, rateLimit: Record<string, number> | undefined): Promise<void> {
  const gateway = createGateway(
    parseConfig({
      sources: [
        { name: 'blnk', kind: 'blnk', url: blnk.url, ...blnkDemo.source(), ...(rateLimit ? { rateLimit } : {}) },
      ],
    }),
    { logger: createLogger('silent') },
  );
  const listener = createServer(gateway.yoga);
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const pool = new Pool(`http://127.0.0.1:${(listener.address() as AddressInfo).port}`, { connections: CLIENTS });
  blnk.resetRequests();
  blnk.setQuota({ perSecond: RPS, burst: BURST });
  let answers = 0;
  let failed = 0;
  let next = 0;
  const started = performance.now();
  const end = started + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < end) {
        const id = ids[next % ids.length];
        next += 1;
        const response = await pool.request({
          method: 'POST',
          path: '/graphql',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ query: ACCOUNT, variables: { id } }),
        });
        const body = (await response.body.json()) as { errors?: unknown[] };
        answers += 1;
        if (body.errors) failed += 1;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const busiest = busiestSecond(blnk.arrivalTimes);
  process.stdout.write(
    `${label.padEnd(58)} ${(answers / elapsed).toFixed(0).padStart(6)} answers/s (${failed} with an error)  vendor ${(blnk.arrivals / elapsed).toFixed(1).padStart(6)} calls/s, busiest second ${String(busiest).padStart(4)}, 429s ${blnk.refused}\n`,
  );
  blnk.setQuota(null);
  await pool.close();
  listener.close();
  await gateway.close();
}

process.stdout.write(
  `\nvendor quota: Blnk allows ${RPS} calls/s (burst ${BURST}); ${CLIENTS} clients for ${SECONDS} s each, one account lookup per request\n`,
);
await run('no rateLimit', undefined);
await run(`rateLimit { requestsPerSecond: ${RPS}, burst: 2 }`, { requestsPerSecond: RPS, burst: 2 });
await blnk.close();
