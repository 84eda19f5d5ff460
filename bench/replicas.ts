/**
 * Replicas and one vendor quota (issue 16's figure): `REPLICAS_DASHBOARDS` dashboards each ask for
 * one Blnk account every 2 s, half of them through each of two gateway replicas (each in its own
 * process), for `REPLICAS_SECONDS`; Blnk allows `REPLICAS_QUOTA` calls a second (its tollbooth's 429
 * past it). Side by side in one run: both replicas with `rateLimit` at the vendor's quota but each
 * on its own, then the same two sharing it through one redis-server (`server.redis`). Each line:
 * answers a second (and those with an error: SOURCE_RATE_LIMITED once the quota is spent), vendor
 * calls a second, the busiest second's calls, and the vendor's 429s. `npm run bench` runs it with
 * a short default; the issue's full run:
 *
 *   REPLICAS_SECONDS=30 node bench/replicas.ts
 *
 * Reports, asserts nothing. Skipped, with the reason, where redis-server is not installed.
 */
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { busiestSecond } from '../src/simulators/recorder.ts';
import { startDemoSources } from '../src/simulators/demo.ts';
import { REDIS_MISSING, startRedis } from '../test/helpers/redis.ts';
import { startReplica } from '../test/helpers/replicas.ts';

const SECONDS = Number(process.env.REPLICAS_SECONDS ?? 6);
const DASHBOARDS = Number(process.env.REPLICAS_DASHBOARDS ?? 500);
const QUOTA = Number(process.env.REPLICAS_QUOTA ?? 50);
const REFRESH_MS = 2000;
const ACCOUNT = 'query($id: ID!) { account(id: $id) { address balances { asset total { amount } } } }';

async function run(label: string, redisUrl: string | undefined): Promise<void> {
  const demo = await startDemoSources();
  const blnk = demo.simulators.blnk;
  const ledger = [...blnk.truth.ledgers()].sort(
    (a, b) => blnk.truth.accounts(b.id).length - blnk.truth.accounts(a.id).length,
  )[0]!;
  const ids = blnk.truth
    .accounts(ledger.id)
    .map((account) => encodeGlobalId('Account', ['blnk-demo', ledger.id, account.id]));
  const config = {
    server: { cursorSecret: 'bench-cursor-secret-0123456789', ...(redisUrl ? { redis: { url: redisUrl } } : {}) },
    sources: demo.sources
      .filter((source) => source.name === 'blnk-demo')
      .map((source) => ({ ...source, rateLimit: { requestsPerSecond: QUOTA, burst: 1 } })),
  };
  const replicas = await Promise.all([startReplica(config), startReplica(config)]);
  blnk.resetRequests();
  blnk.setQuota({ perSecond: QUOTA, burst: Math.max(1, Math.round(QUOTA / 10)) });
  let answers = 0;
  let failed = 0;
  const started = performance.now();
  const end = started + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: DASHBOARDS }, async (_, dashboard) => {
      const replica = replicas[dashboard % 2]!;
      // Dashboards opened at different moments: their refreshes spread over the 2 s.
      let next = started + (dashboard / DASHBOARDS) * REFRESH_MS;
      while (next < end) {
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, next - performance.now())));
        const answer = await replica.query(ACCOUNT, { id: ids[dashboard % ids.length] });
        answers += 1;
        if (answer.body.errors) failed += 1;
        next += REFRESH_MS;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const busiest = busiestSecond(blnk.arrivalTimes);
  process.stdout.write(
    `${label.padEnd(44)} ${(answers / elapsed).toFixed(0).padStart(5)} answers/s (${failed} with an error)  vendor ${(blnk.arrivals / elapsed).toFixed(1).padStart(6)} calls/s, busiest second ${String(busiest).padStart(4)}, 429s ${blnk.refused}\n`,
  );
  await Promise.all(replicas.map((replica) => replica.stop()));
  await demo.close();
}

process.stdout.write(
  `\nreplicas: ${DASHBOARDS} dashboards refreshing every 2 s for ${SECONDS} s against two replicas; Blnk allows ${QUOTA} calls/s, each replica's rateLimit ${QUOTA}/s\n`,
);
if (REDIS_MISSING) process.stdout.write(`skipped: ${REDIS_MISSING}\n`);
else {
  await run('two replicas, each its own limiter', undefined);
  const redis = await startRedis();
  try {
    await run('two replicas sharing one limiter (server.redis)', redis.url);
  } finally {
    await redis.stop();
  }
}
