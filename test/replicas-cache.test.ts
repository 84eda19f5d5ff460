import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { type DemoSources, startDemoSources } from '../src/simulators/demo.ts';
import { VONAGE_DEMO_API_KEY, VONAGE_DEMO_API_SECRET } from '../src/simulators/vonage/index.ts';
import type { GraphQLResponse } from './helpers/gateway.ts';
import { type HeldVendor, startHeldVendor } from './helpers/held-vendor.ts';
import { REDIS_MISSING, readyConnections, startRedis, type TestRedis } from './helpers/redis.ts';
import { type Replica, startReplica } from './helpers/replicas.ts';
import { until } from './helpers/until.ts';

// Issue 16 items 5 and 6: with server.redis, the read cache is shared by two gateway replicas, each
// in its own process, against one real redis-server and the simulators. Vendor calls are counted
// where they arrive (the simulators), never inferred from timings.
if (REDIS_MISSING) console.warn(`skipping the shared read cache tests: ${REDIS_MISSING}`);

type Balance = { asset: string; observedAt: string; stale: boolean; total: { amount: string; minorUnits: string } };
type Tree = {
  sources: Array<{ name: string; ledgers: { nodes: Array<{ accounts: { nodes: Array<{ balances: Balance[] }> } }> } }>;
};

/** Each source's ledgers, accounts and balances: every read goes to its own source (no merged list reading ahead). */
const TREE = (accounts: number) =>
  `{ sources { name ledgers(first: 10) { nodes { accounts(first: ${accounts}) { nodes { balances { asset observedAt stale total { amount minorUnits } } } } } } } }`;
const TOP_UP = 'mutation { topUp(input: { source: "vonage-demo", trx: "00X123456Y7890123Z" }) { outcome } }';
const CACHE = { ttlMs: 60_000, staleIfErrorMs: 600_000 };

let redis: TestRedis | undefined;
let demo: DemoSources | undefined;
let replicas: Replica[] = [];
let held: HeldVendor | undefined;
afterEach(async () => {
  await Promise.all(replicas.map((replica) => replica.stop()));
  await held?.close();
  held = undefined;
  replicas = [];
  await demo?.close();
  await redis?.stop();
  demo = undefined;
  redis = undefined;
});

/** Redis, the simulators, and two replicas reading Midaz (amounts past 2^53) and Vonage, each with a read cache. */
async function twoReplicas(
  cache: Record<string, unknown> = CACHE,
  vonageCache: Record<string, unknown> = cache,
  midazUrl?: (simulatorUrl: string) => Promise<string>,
): Promise<[Replica, Replica]> {
  redis = await startRedis();
  demo = await startDemoSources();
  const midaz = demo.sources.find((source) => source.name === 'midaz-demo')!;
  const url = midazUrl ? await midazUrl(String(midaz.url)) : midaz.url;
  const config = {
    server: { cursorSecret: 'test-cursor-secret-0123456789', redis: { url: redis.url } },
    sources: demo.sources
      .filter((source) => source.name === 'midaz-demo' || source.name === 'vonage-demo')
      .map((source) => ({
        ...source,
        ...(source.name === 'midaz-demo' ? { url } : {}),
        retries: 0,
        cache: source.name === 'vonage-demo' ? vonageCache : cache,
      })),
  };
  replicas = await Promise.all([startReplica(config), startReplica(config)]);
  // The CLI listens only once its Redis connections are ready (a replica not yet connected would read on its own).
  expect(await readyConnections(redis.url)).toBe(4);
  return replicas as [Replica, Replica];
}

/** Vendor calls that reached each simulator since the last `settle`. */
const calls = () => ({ midaz: demo!.simulators.midaz.arrivals, vonage: demo!.simulators.vonage.arrivals });

/** Zeroes the simulators' counts once no vendor call is in flight. */
async function settle(): Promise<void> {
  for (let quiet = 0; quiet < 3; ) {
    await new Promise((resolve) => setTimeout(resolve, 10));
    quiet = Object.values(demo!.simulators).some((simulator) => simulator.inFlight > 0) ? 0 : quiet + 1;
  }
  for (const simulator of Object.values(demo!.simulators)) simulator.resetRequests();
}

function balancesOf(answer: GraphQLResponse<Tree>, source?: string): Balance[] {
  return answer.body
    .data!.sources.filter((entry) => source === undefined || entry.name === source)
    .flatMap((entry) => entry.ledgers.nodes.flatMap((ledger) => ledger.accounts.nodes.flatMap((a) => a.balances)));
}

const extensionsOf = (answer: GraphQLResponse<Tree>) =>
  (answer.body as { extensions?: Record<string, unknown> }).extensions;

async function read(replica: Replica, accounts = 20): Promise<GraphQLResponse<Tree>> {
  const answer = await replica.query<Tree>(TREE(accounts));
  expect(answer.body.errors).toBeUndefined();
  return answer;
}

describe.skipIf(REDIS_MISSING !== null)('the read cache shared through Redis', () => {
  it('replica B answers from the cache what replica A fetched: zero vendor calls, the same amounts byte for byte, A’s observedAt', async () => {
    const [a, b] = await twoReplicas();
    await settle();
    const first = await read(a);
    expect(calls().midaz).toBeGreaterThan(0);
    expect(calls().vonage).toBeGreaterThan(0);
    await settle();
    const second = await read(b);
    expect(calls()).toEqual({ midaz: 0, vonage: 0 });
    // Amounts, receive times and all: B's answer is A's, to the byte.
    expect(JSON.stringify(second.body.data)).toBe(JSON.stringify(first.body.data));
    const amounts = balancesOf(second).map((balance) => BigInt(balance.total.minorUnits));
    expect(amounts.some((amount) => amount > 2n ** 53n)).toBe(true);
    expect(balancesOf(second, 'vonage-demo').map((balance) => balance.total.amount)).toContain('1234567.89000001');
    expect(balancesOf(second).every((balance) => !balance.stale)).toBe(true);
    const cache = extensionsOf(second)?.cache as { hits: number; oldest: string };
    expect(cache.hits).toBeGreaterThan(0);
    expect(
      cache.oldest <=
        balancesOf(first)
          .map((balance) => balance.observedAt)
          .sort()[0]!,
    ).toBe(true);
  });

  it('a topUp on A makes B go to Vonage again (and only Vonage); then A answers from what B fetched', async () => {
    const [a, b] = await twoReplicas();
    await read(a);
    await read(b);
    expect((await a.query(TOP_UP)).body.errors).toBeUndefined();
    await settle();
    await read(b);
    expect(calls().vonage).toBeGreaterThan(0);
    expect(calls().midaz).toBe(0);
    await settle();
    await read(a);
    expect(calls()).toEqual({ midaz: 0, vonage: 0 });
  });

  it('two replicas missing the same read at once: one calls the vendor, the other waits for its answer', async () => {
    const [a, b] = await twoReplicas(CACHE, CACHE, async (target) => {
      held = await startHeldVendor(target);
      return held.url;
    });
    const midaz = demo!.simulators.midaz;
    // A's first Midaz read is held at the vendor: A has claimed its fill.
    const first = a.query<Tree>(TREE(20));
    await held!.waitForHeld(1);
    const second = b.query<Tree>(TREE(20));
    // A's claim is in Redis and B waits on it (its MGET polls are the only MGETs): B reached no vendor.
    const probe = new Redis(redis!.url, { maxRetriesPerRequest: 0 });
    try {
      // (Other reads of the tree, not held, may hold claims of their own for a moment.)
      expect((await probe.keys('*:fill')).length).toBeGreaterThan(0);
      expect(await until(async () => /cmdstat_mget:calls=[1-9]/.test(await probe.info('commandstats')))).toBe(true);
    } finally {
      probe.disconnect();
    }
    expect(held!.calls).toBe(1);
    await held!.release({ open: true });
    const [answerA, answerB] = await Promise.all([first, second]);
    expect(answerA.body.errors).toBeUndefined();
    expect(answerB.body.errors).toBeUndefined();
    expect(JSON.stringify(answerB.body.data)).toBe(JSON.stringify(answerA.body.data));
    // Each vendor read once for the two replicas, whichever of them fetched it.
    const paths = midaz.requests.map((request) => `${request.method} ${request.path}?${JSON.stringify(request.query)}`);
    expect(paths.length).toBeGreaterThan(1);
    expect(new Set(paths).size).toBe(paths.length);
  });

  it('a vendor failing answers stale from an entry another replica stored, with its observedAt and a warning', async () => {
    // Fresh for 1 ms: B's read goes to Midaz, which refuses it; A's entry, found in Redis, stands in.
    const [a, b] = await twoReplicas({ ttlMs: 1, staleIfErrorMs: 600_000 });
    const first = await read(a);
    await demo!.simulators.midaz.setFault('refuse');
    try {
      // Refused connections never reach the simulator's count: `stale` is what shows the call failed.
      const stale = await read(b);
      const midaz = balancesOf(stale, 'midaz-demo');
      expect(midaz.length).toBeGreaterThan(0);
      expect(midaz.every((balance) => balance.stale)).toBe(true);
      expect(midaz.map((balance) => balance.observedAt)).toEqual(
        balancesOf(first, 'midaz-demo').map((balance) => balance.observedAt),
      );
      const warnings = extensionsOf(stale)?.warnings as Array<Record<string, string>>;
      expect(new Set(warnings.map((warning) => `${warning.code} ${warning.source} ${warning.error}`))).toEqual(
        new Set(['STALE_ANSWER midaz-demo SOURCE_UNAVAILABLE']),
      );
    } finally {
      await demo!.simulators.midaz.setFault(null);
    }
  });

  it('Redis killed mid-test: both replicas still answer, from their own store or the vendor; sharing resumes when it returns', async () => {
    const [a, b] = await twoReplicas();
    await read(a, 5);
    await redis!.kill();
    // What each replica holds still answers it; a read neither made goes to the vendor from each.
    await settle();
    await read(a, 5);
    expect(calls()).toEqual({ midaz: 0, vonage: 0 });
    await read(b, 5);
    await read(a, 6);
    await settle();
    await read(b, 6);
    expect(calls().midaz).toBeGreaterThan(0);
    await redis!.restart();
    const back = (replica: Replica) => replica.logs.some((line) => line.includes('redis reachable again'));
    expect(await until(() => back(a) && back(b))).toBe(true);
    await read(a, 7);
    await settle();
    await read(b, 7);
    expect(calls()).toEqual({ midaz: 0, vonage: 0 });
  });

  it('no Redis key holds a credential or a vendor request in clear, and every cached value expires', async () => {
    await twoReplicas();
    await read(replicas[0]!);
    const probe = new Redis(redis!.url, { maxRetriesPerRequest: 0 });
    try {
      const keys = await probe.keys('*');
      const cached = keys.filter((key) => key.startsWith('balance-gateway:cache:vonage-demo:'));
      expect(cached.length).toBeGreaterThan(0);
      const basic = Buffer.from(`${VONAGE_DEMO_API_KEY}:${VONAGE_DEMO_API_SECRET}`).toString('base64');
      for (const key of keys) {
        // The Vonage key is in the subaccounts path; the secret and Basic credentials in its header.
        for (const secret of [VONAGE_DEMO_API_SECRET, VONAGE_DEMO_API_KEY, basic, '/accounts', '/v1/']) {
          expect(key).not.toContain(secret);
        }
      }
      for (const key of keys.filter((key) => key.startsWith('balance-gateway:cache:') && !key.endsWith(':gen'))) {
        expect(await probe.pttl(key)).toBeGreaterThan(0);
      }
    } finally {
      probe.disconnect();
    }
  });
});

describe.skipIf(REDIS_MISSING !== null)('the read cache in Redis, bounded', () => {
  it('a value larger than the source’s maxBytes is not stored in Redis', async () => {
    // Vonage's balance answer fits in 800 bytes as Redis stores it (~270); its subaccounts (~1300) do not.
    await twoReplicas(CACHE, { ...CACHE, maxBytes: 800 });
    await read(replicas[0]!);
    const probe = new Redis(redis!.url, { maxRetriesPerRequest: 0 });
    try {
      const keys = (await probe.keys('balance-gateway:cache:vonage-demo:*')).filter((key) => !key.endsWith(':gen'));
      expect(keys).toHaveLength(1);
      expect(await probe.strlen(keys[0]!)).toBeLessThanOrEqual(800);
    } finally {
      probe.disconnect();
    }
  });
});
