import { Redis } from 'ioredis';
import { createServer, connect, type Server } from 'node:net';
import { busiestSecond } from '../src/simulators/recorder.ts';
import { afterEach, describe, expect, it } from 'vitest';
import { redactRedisUrl } from '../src/shared-state/index.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { type DemoSources, type DemoVendor, startDemoSources } from '../src/simulators/demo.ts';
import { REDIS_MISSING, readyConnections, startRedis, type TestRedis } from './helpers/redis.ts';
import { type Replica, startReplica } from './helpers/replicas.ts';
import { until } from './helpers/until.ts';

// Issue 16 items 5 and 6: two gateway replicas, each in its own process, against one real
// redis-server and the simulators, share the vendor's quota, the OAuth token and the breakers.
if (REDIS_MISSING) console.warn(`skipping the replica tests: ${REDIS_MISSING}`);

const ACCOUNT = 'query($id: ID!) { account(id: $id) { address } }';
const HEALTH = '{ sources { name health { circuit } } }';
const TOKEN_PATH = '/api/auth/oauth/token';

let redis: TestRedis | undefined;
let demo: DemoSources | undefined;
let replicas: Replica[] = [];
afterEach(async () => {
  await Promise.all(replicas.map((replica) => replica.stop()));
  replicas = [];
  await demo?.close();
  await redis?.stop();
  demo = undefined;
  redis = undefined;
});

/** Redis, the simulators, and two replicas configured alike (`sources`: changes by source name). */
async function twoReplicas(
  sources: Record<string, Record<string, unknown>> = {},
  options: { shared: boolean } = { shared: true },
): Promise<[Replica, Replica]> {
  redis = await startRedis();
  demo = await startDemoSources();
  const config = {
    server: {
      cursorSecret: 'test-cursor-secret-0123456789',
      ...(options.shared ? { redis: { url: redis.url } } : {}),
    },
    sources: demo.sources.map((source) => ({ ...source, ...sources[String(source.name)] })),
  };
  replicas = await Promise.all([startReplica(config), startReplica(config)]);
  // Listening means connected: a replica sharing nothing yet would keep its own quota and tokens.
  if (options.shared) expect(await readyConnections(redis.url)).toBe(4);
  return replicas as [Replica, Replica];
}

function accountIds(vendor: DemoVendor): string[] {
  const truth = demo!.simulators[vendor].truth;
  const ledger = [...truth.ledgers()].sort((a, b) => truth.accounts(b.id).length - truth.accounts(a.id).length)[0]!;
  return truth
    .accounts(ledger.id)
    .map((account) => encodeGlobalId('Account', [`${vendor}-demo`, ledger.id, account.id]));
}

/** `operations` account lookups through `replica`, `concurrency` at a time; the error codes seen. */
async function load(replica: Replica, ids: string[], operations: number, concurrency: number): Promise<string[]> {
  const codes: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < operations) {
      const id = ids[next % ids.length];
      next += 1;
      const answer = await replica.query(ACCOUNT, { id });
      if (answer.status !== 200) codes.push(`HTTP ${answer.status}`);
      for (const error of answer.body.errors ?? []) codes.push(String(error.extensions?.code));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return codes;
}

async function circuitOf(replica: Replica, source: string): Promise<unknown> {
  const answer = await replica.query<{ sources: Array<{ name: string; health: { circuit: string } }> }>(HEALTH);
  return answer.body.data?.sources.find((entry) => entry.name === source)?.health.circuit;
}

const warnings = (replica: Replica) => replica.logs.filter((line) => line.includes('redis unreachable'));
const recoveries = (replica: Replica) => replica.logs.filter((line) => line.includes('redis reachable again'));

/** A TCP hop to `port` that holds each new connection `delayMs` before joining it: a Redis slow to connect to. */
async function slowHop(port: number, delayMs: number): Promise<{ port: number; server: Server }> {
  const server = createServer((client) => {
    client.pause();
    const timer = setTimeout(() => {
      const upstream = connect(port, '127.0.0.1');
      client.pipe(upstream).pipe(client);
      client.resume();
      upstream.on('error', () => client.destroy());
      client.on('error', () => upstream.destroy());
    }, delayMs);
    client.on('close', () => clearTimeout(timer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { port: (server.address() as { port: number }).port, server };
}

describe.skipIf(REDIS_MISSING !== null)('replicas sharing through Redis', () => {
  it('a replica listens only once its Redis connections are ready, however slow Redis is to connect (within 1 s)', async () => {
    redis = await startRedis();
    demo = await startDemoSources();
    const hop = await slowHop(redis.port, 250);
    try {
      const redisUrl = `redis://127.0.0.1:${hop.port}`;
      replicas = [await startReplica({ server: { redis: { url: redisUrl } }, sources: demo.sources })];
      // Its command connection and the breakers' subscriber, both answered before it took a request.
      expect(await readyConnections(redis.url)).toBe(2);
    } finally {
      hop.server.close();
    }
  });

  it('two replicas under load together stay under the one quota: the vendor refuses nothing', async () => {
    // Each replica alone would send 10 calls a second: 20 together, past the vendor's 14.
    const [a, b] = await twoReplicas({ 'blnk-demo': { rateLimit: { requestsPerSecond: 10, burst: 1 } } });
    const blnk = demo!.simulators.blnk;
    blnk.setQuota({ perSecond: 14, burst: 3 });
    blnk.resetRequests();
    const ids = accountIds('blnk');
    const codes = await Promise.all([load(a, ids, 24, 6), load(b, ids.slice(24), 24, 6)]);
    expect(codes.flat()).toEqual([]);
    expect(blnk.refused).toBe(0);
    expect(blnk.arrivals).toBeGreaterThanOrEqual(48);
    // A shared bucket of 1 at 10/s lets at most 11 calls through in any second; 2 more for timers' jitter.
    expect(busiestSecond(blnk.arrivalTimes)).toBeLessThanOrEqual(13);
  });

  it('without server.redis the same load passes the vendor quota (the control of the test above)', async () => {
    const [a, b] = await twoReplicas(
      { 'blnk-demo': { rateLimit: { requestsPerSecond: 10, burst: 1 } } },
      { shared: false },
    );
    const blnk = demo!.simulators.blnk;
    blnk.setQuota({ perSecond: 14, burst: 3 });
    blnk.resetRequests();
    const ids = accountIds('blnk');
    await Promise.all([load(a, ids, 24, 6), load(b, ids.slice(24), 24, 6)]);
    expect(blnk.refused).toBeGreaterThan(0);
  });

  it('the OAuth token replica A fetched is the one replica B uses: one token request for both', async () => {
    const [a, b] = await twoReplicas();
    const formance = demo!.simulators.formance;
    formance.resetRequests();
    const [first, second] = accountIds('formance');
    expect((await a.query(ACCOUNT, { id: first })).body.errors).toBeUndefined();
    expect((await b.query(ACCOUNT, { id: second })).body.errors).toBeUndefined();
    expect(formance.arrivedPaths.filter((path) => path === TOKEN_PATH)).toHaveLength(1);
    expect(formance.arrivedPaths.filter((path) => path !== TOKEN_PATH).length).toBeGreaterThanOrEqual(2);
  });

  it('a breaker opened on A refuses on B without a vendor call', async () => {
    const [a, b] = await twoReplicas({
      'blnk-demo': { retries: 0, circuitBreaker: { failureThreshold: 2, openMs: 60_000 } },
    });
    const blnk = demo!.simulators.blnk;
    const [first, second, third] = accountIds('blnk');
    await blnk.setFault('html-error');
    for (const id of [first, second])
      expect((await a.query(ACCOUNT, { id })).body.errors?.[0]?.extensions?.code).toBe('SOURCE_UNAVAILABLE');
    // Shared, A's breaker applies the count over both replicas when Redis answers it, not before the
    // failed call's answer (BreakerPeers.failed): the second failure opens it a moment after.
    expect(await until(async () => (await circuitOf(a, 'blnk-demo')) === 'OPEN')).toBe(true);
    expect(await until(async () => (await circuitOf(b, 'blnk-demo')) === 'OPEN')).toBe(true);
    await blnk.setFault(null);
    blnk.resetRequests();
    const refused = await b.query(ACCOUNT, { id: third });
    expect(refused.body.errors?.[0]?.extensions).toMatchObject({ code: 'SOURCE_UNAVAILABLE', circuit: 'OPEN' });
    expect(blnk.arrivals).toBe(0);
  });

  it('half-open on both replicas, one probe in all: while A probes, B refuses without calling the vendor', async () => {
    const [a, b] = await twoReplicas({
      'blnk-demo': { retries: 0, timeoutMs: 2000, circuitBreaker: { failureThreshold: 1, openMs: 1000 } },
    });
    const blnk = demo!.simulators.blnk;
    const ids = accountIds('blnk');
    await blnk.setFault('html-error');
    expect((await a.query(ACCOUNT, { id: ids[0] })).body.errors?.[0]?.extensions?.code).toBe('SOURCE_UNAVAILABLE');
    expect(await until(async () => (await circuitOf(b, 'blnk-demo')) === 'OPEN')).toBe(true);
    // The probe will hang until its deadline: it stays in flight while B is asked.
    await blnk.setFault('hang');
    expect(await until(async () => (await circuitOf(a, 'blnk-demo')) === 'HALF_OPEN')).toBe(true);
    expect(await until(async () => (await circuitOf(b, 'blnk-demo')) === 'HALF_OPEN')).toBe(true);
    blnk.resetRequests();
    const probe = a.query(ACCOUNT, { id: ids[1] });
    expect(await until(() => blnk.arrivals === 1)).toBe(true);
    const others = await Promise.all(ids.slice(2, 5).map((id) => b.query(ACCOUNT, { id })));
    for (const answer of others)
      expect(answer.body.errors?.[0]?.extensions).toMatchObject({ code: 'SOURCE_UNAVAILABLE', circuit: 'HALF_OPEN' });
    expect(blnk.arrivals).toBe(1);
    expect((await probe).body.errors?.[0]?.extensions?.code).toBe('SOURCE_TIMEOUT');
    await blnk.setFault(null);
  });

  it('Redis killed mid-test: every request is still answered, one warning each, then sharing resumes when it returns', async () => {
    const [a, b] = await twoReplicas({ 'blnk-demo': { rateLimit: { requestsPerSecond: 50, burst: 5 } } });
    const ids = accountIds('blnk');
    expect(await Promise.all([load(a, ids, 4, 2), load(b, ids, 4, 2)])).toEqual([[], []]);
    const probe = new Redis(redis!.url, { lazyConnect: true, maxRetriesPerRequest: 0 });
    try {
      await probe.connect();
      expect(await probe.exists('balance-gateway:quota:{blnk-demo}')).toBe(1);
      probe.disconnect();
      await redis!.kill();
      // Every request answered, at once and then again later, while Redis is away.
      expect(await Promise.all([load(a, ids, 10, 3), load(b, ids, 10, 3)])).toEqual([[], []]);
      expect(await Promise.all([load(a, ids, 6, 3), load(b, ids, 6, 3)])).toEqual([[], []]);
      expect(warnings(a)).toHaveLength(1);
      expect(warnings(b)).toHaveLength(1);
      await redis!.restart();
      expect(await until(() => recoveries(a).length > 0 && recoveries(b).length > 0)).toBe(true);
      expect(recoveries(a)).toHaveLength(1);
      await probe.connect();
      expect(await probe.exists('balance-gateway:quota:{blnk-demo}')).toBe(0);
      expect(await load(b, ids, 2, 1)).toEqual([]);
      // B's calls booked their turns in the new Redis again.
      expect(await probe.exists('balance-gateway:quota:{blnk-demo}')).toBe(1);
      expect(warnings(a)).toHaveLength(1);
    } finally {
      probe.disconnect();
    }
  });
});

describe('a Redis URL in a log line', () => {
  it('keeps the scheme, host and port, never the user, password or database', () => {
    expect(redactRedisUrl('rediss://gateway:s3cret-pass@cache.internal:6380/2')).toBe('rediss://cache.internal:6380');
    expect(redactRedisUrl('redis://:s3cret-pass@10.0.0.5:6379')).toBe('redis://10.0.0.5:6379');
  });
});
