import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { createGateway, type Gateway } from '../src/gateway.ts';
import { createLogger } from '../src/logger.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { type DemoSources, type DemoVendor, startDemoSources } from '../src/simulators/demo.ts';
import { REDIS_MISSING, startRedis, type TestRedis } from './helpers/redis.ts';

// Issue 16 item 5, the gaps the first Redis session left: two gateways in this test process (each
// its own SharedRedis connection, as two replicas) against one real redis-server and the
// simulators. Abandoned turns go back to the shared line, a slow Redis never holds a call past its
// operation's deadline, failures count across replicas, and one replica fetches the OAuth token.
if (REDIS_MISSING) console.warn(`skipping the shared-state replica tests: ${REDIS_MISSING}`);

const ACCOUNT = 'query($id: ID!) { account(id: $id) { address } }';
const HEALTH = '{ sources { name health { circuit consecutiveFailures } } }';
const TOKEN_PATH = '/api/auth/oauth/token';

interface TestReplica {
  readonly gateway: Gateway;
  readonly url: string;
  readonly logs: string[];
  query(query: string, variables?: Record<string, unknown>, signal?: AbortSignal): Promise<Answer>;
}

interface Answer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

let redis: TestRedis | undefined;
let demo: DemoSources | undefined;
let servers: Server[] = [];
let gateways: Gateway[] = [];
let probe: Redis | undefined;
afterEach(async () => {
  probe?.disconnect();
  for (const server of servers) {
    server.closeAllConnections();
    server.close();
  }
  await Promise.all(gateways.map((gateway) => gateway.close()));
  await demo?.close();
  await redis?.stop();
  servers = [];
  gateways = [];
  probe = undefined;
  demo = undefined;
  redis = undefined;
});

/** Redis, the simulators, and two replicas of one configuration (`each`: one replica's own `server` fields), each on its own socket. */
async function replicas(
  options: {
    server?: Record<string, unknown>;
    sources?: Record<string, Record<string, unknown>>;
    each?: Array<Record<string, unknown>>;
  } = {},
): Promise<[TestReplica, TestReplica]> {
  redis = await startRedis();
  demo = await startDemoSources();
  probe = new Redis(redis.url, { maxRetriesPerRequest: 0 });
  // A test that kills Redis leaves the probe reconnecting: its errors are expected.
  probe.on('error', () => {});
  const config = {
    server: {
      cursorSecret: 'test-cursor-secret-0123456789',
      ...options.server,
      redis: { ...(options.server?.redis as object | undefined), url: redis.url },
    },
    sources: demo.sources.map((source) => ({ ...source, ...options.sources?.[String(source.name)] })),
  };
  const started = await Promise.all(
    [0, 1].map(async (index) => {
      const logs: string[] = [];
      const own = { ...config, server: { ...config.server, ...options.each?.[index] } };
      const gateway = createGateway(parseConfig(own), {
        logger: createLogger('debug', (line) => logs.push(line)),
      });
      gateways.push(gateway);
      const server = createServer(gateway.yoga);
      servers.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
      return {
        gateway,
        url,
        logs,
        async query(query: string, variables?: Record<string, unknown>, signal?: AbortSignal) {
          const response = await fetch(url, {
            method: 'POST',
            headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
            body: JSON.stringify({ query, variables }),
            ...(signal ? { signal } : {}),
          });
          return (await response.json()) as Answer;
        },
      };
    }),
  );
  // A replica shares nothing until it is connected: wait until both connections of each (commands,
  // and the breakers' subscriber) have sent Redis a command.
  const spoken = async () =>
    String(await probe!.client('LIST'))
      .split('\n')
      .filter((line) => / cmd=/.test(line) && !/ cmd=(NULL|client\|list) /.test(line)).length;
  expect(await until(async () => (await spoken()) >= 4)).toBe(true);
  return started as [TestReplica, TestReplica];
}

function accountIds(vendor: DemoVendor): string[] {
  const truth = demo!.simulators[vendor].truth;
  const ledger = [...truth.ledgers()].sort((a, b) => truth.accounts(b.id).length - truth.accounts(a.id).length)[0]!;
  return truth
    .accounts(ledger.id)
    .map((account) => encodeGlobalId('Account', [`${vendor}-demo`, ledger.id, account.id]));
}

async function healthOf(replica: TestReplica, source: string) {
  const answer = await replica.query(HEALTH);
  const sources = (answer.data?.sources ?? []) as Array<{ name: string; health: Record<string, unknown> }>;
  return sources.find((entry) => entry.name === source)?.health;
}

/** Polls `done` every 20 ms for at most `limitMs`; its last answer. */
async function until(done: () => boolean | Promise<boolean>, limitMs = 10_000): Promise<boolean> {
  for (const end = Date.now() + limitMs; Date.now() < end; await new Promise((r) => setTimeout(r, 20)))
    if (await done()) return true;
  return done();
}

const codesOf = (answer: Answer) => (answer.errors ?? []).map((error) => error.extensions?.code);

/** `operations` account lookups through `replica`, `concurrency` at a time; the error codes seen. */
async function load(replica: TestReplica, ids: string[], operations: number, concurrency: number): Promise<unknown[]> {
  const codes: unknown[] = [];
  let next = 0;
  const worker = async () => {
    while (next < operations) {
      const id = ids[next % ids.length];
      next += 1;
      codes.push(...codesOf(await replica.query(ACCOUNT, { id })));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return codes;
}

describe.skipIf(REDIS_MISSING !== null)('the shared quota line', () => {
  it("turns booked on replica A by 15 callers that left are given back: replica B's caller gets a turn before its deadline", async () => {
    // 1 call a second. A's callers may wait 15 s, so they book the next 15 s; B's may wait 5 s.
    const [a, b] = await replicas({
      sources: { 'blnk-demo': { rateLimit: { requestsPerSecond: 1, burst: 1 } } },
      each: [{ requestTimeoutMs: 15_000 }, { requestTimeoutMs: 5000 }],
    });
    const blnk = demo!.simulators.blnk;
    const ids = accountIds('blnk');
    blnk.resetRequests();
    expect(codesOf(await a.query(ACCOUNT, { id: ids[0] }))).toEqual([]);
    const leaving = new AbortController();
    const abandoned = ids.slice(1, 16).map((id) => a.query(ACCOUNT, { id }, leaving.signal).catch(() => undefined));
    // Every one of them has booked its turn: the line's tail is 15 turns ahead.
    const key = 'balance-gateway:quota:blnk-demo';
    const ahead = async () => {
      const [tat, [seconds, micros]] = await Promise.all([probe!.hget(key, 'tat'), probe!.time()]);
      return Number(tat) - (Number(seconds) * 1000 + Number(micros) / 1000);
    };
    expect(await until(async () => (await ahead()) > 14_000)).toBe(true);
    leaving.abort();
    await Promise.all(abandoned);
    // The gateway hears of each client leaving from its socket: let those notices arrive.
    await until(async () => (await probe!.zcard(`${key}:holes`)) >= 15, 1000);
    // Without the turns given back the next one is still 14 s away, past B's 5 s deadline: refused at once.
    const later = await b.query(ACCOUNT, { id: ids[16] });
    expect(codesOf(later)).toEqual([]);
    expect(later.data?.account).toMatchObject({ address: expect.any(String) });
    // The callers that left never reached the vendor.
    expect(blnk.arrivals).toBe(2);
  });

  it('Redis frozen and an operation with less time left than its command deadline: the call takes a turn in its own line and answers', async () => {
    const [a] = await replicas({
      server: { requestTimeoutMs: 400 },
      sources: { 'blnk-demo': { rateLimit: { requestsPerSecond: 50, burst: 5 } } },
    });
    const ids = accountIds('blnk');
    expect(codesOf(await a.query(ACCOUNT, { id: ids[0] }))).toEqual([]);
    redis!.pause();
    try {
      // Redis's own 500 ms deadline is past the operation's 400 ms: waiting for it fails the field.
      const answer = await a.query(ACCOUNT, { id: ids[1] });
      expect(codesOf(answer)).toEqual([]);
      expect(answer.data?.account).toMatchObject({ address: expect.any(String) });
    } finally {
      redis!.resume();
    }
    expect(demo!.simulators.blnk.refused).toBe(0);
  });
});

describe.skipIf(REDIS_MISSING !== null)('the quota while Redis is away', () => {
  /** Two replicas, each with Blnk's rateLimit at 10/s, load Blnk (keeping 14/s) with Redis dead: its refusals. */
  async function refusalsWithRedisDead(redisReplicas: number | undefined): Promise<number> {
    const [a, b] = await replicas({
      server: { redis: { url: 'redis://placeholder', ...(redisReplicas ? { replicas: redisReplicas } : {}) } },
      sources: { 'blnk-demo': { rateLimit: { requestsPerSecond: 10, burst: 2 } } },
    });
    const blnk = demo!.simulators.blnk;
    await redis!.kill();
    blnk.setQuota({ perSecond: 14, burst: 3 });
    blnk.resetRequests();
    const ids = accountIds('blnk');
    const codes = await Promise.all([load(a, ids, 24, 6), load(b, ids.slice(24), 24, 6)]);
    expect(blnk.arrivals).toBeGreaterThan(0);
    return blnk.refused + codes.flat().filter((code) => code === 'SOURCE_RATE_LIMITED').length;
  }

  it('with server.redis.replicas: 2 each replica keeps half the rate: together they stay under the vendor quota', async () => {
    expect(await refusalsWithRedisDead(2)).toBe(0);
  });

  it('without it each keeps the whole rate, and together they pass the quota (the control of the test above)', async () => {
    expect(await refusalsWithRedisDead(undefined)).toBeGreaterThan(0);
  });
});

describe.skipIf(REDIS_MISSING !== null)('failures counted over replicas', () => {
  it('two replicas alternating failed calls open both breakers after the threshold in all; a success on either ends the run', async () => {
    const [a, b] = await replicas({
      sources: { 'blnk-demo': { retries: 0, circuitBreaker: { failureThreshold: 4, openMs: 60_000 } } },
    });
    const blnk = demo!.simulators.blnk;
    const ids = accountIds('blnk');
    let next = 0;
    const ask = async (replica: TestReplica) => codesOf(await replica.query(ACCOUNT, { id: ids[next++] }));
    const circuits = async () => [(await healthOf(a, 'blnk-demo'))?.circuit, (await healthOf(b, 'blnk-demo'))?.circuit];

    // Each replica's first success ends any run it may have missed while it was away.
    for (const replica of [a, b]) expect(await ask(replica)).toEqual([]);
    await blnk.setFault('html-error');
    for (const replica of [a, a, a]) expect(await ask(replica)).toEqual(['SOURCE_UNAVAILABLE']);
    // A success on B, which saw none of them, ends the run A started: three failures, then none in a row.
    await blnk.setFault(null);
    expect(await ask(b)).toEqual([]);
    await blnk.setFault('html-error');
    for (const replica of [a, b, a]) expect(await ask(replica)).toEqual(['SOURCE_UNAVAILABLE']);
    expect(await circuits()).toEqual(['CLOSED', 'CLOSED']);
    expect(await healthOf(a, 'blnk-demo')).toMatchObject({ consecutiveFailures: 3 });
    // The fourth in a row, two on each replica: each alone has seen half the threshold.
    expect(await ask(b)).toEqual(['SOURCE_UNAVAILABLE']);
    expect(await until(async () => (await circuits()).every((circuit) => circuit === 'OPEN'))).toBe(true);
    await blnk.setFault(null);
    blnk.resetRequests();
    for (const replica of [a, b])
      expect((await replica.query(ACCOUNT, { id: ids[next++] })).errors?.[0]?.extensions).toMatchObject({
        code: 'SOURCE_UNAVAILABLE',
        circuit: 'OPEN',
      });
    expect(blnk.arrivals).toBe(0);
  });
});

describe.skipIf(REDIS_MISSING !== null)('one token request for every replica', () => {
  it('two replicas starting cold, asked at the same instant: the vendor gets one token request', async () => {
    const [a, b] = await replicas();
    const formance = demo!.simulators.formance;
    const ids = accountIds('formance');
    formance.resetRequests();
    const answers = await Promise.all([a, b, a, b].map((replica, index) => replica.query(ACCOUNT, { id: ids[index] })));
    for (const answer of answers) expect(codesOf(answer)).toEqual([]);
    expect(formance.arrivedPaths.filter((path) => path === TOKEN_PATH)).toHaveLength(1);
    expect(formance.arrivedPaths.filter((path) => path !== TOKEN_PATH).length).toBeGreaterThanOrEqual(4);
  });

  it('a replica that died holding the claim to fetch: the next one waits no longer than a token request and fetches its own', async () => {
    const [a, b] = await replicas({ sources: { 'formance-demo': { timeoutMs: 1000 } } });
    const formance = demo!.simulators.formance;
    const ids = accountIds('formance');
    expect(codesOf(await a.query(ACCOUNT, { id: ids[0] }))).toEqual([]);
    // The token A fetched expires from Redis; a replica (gone since) claimed the next fetch for a minute.
    const [tokenKey] = await probe!.keys('balance-gateway:token:formance-demo:*');
    expect(tokenKey).toBeDefined();
    await probe!.del(tokenKey!);
    await probe!.set(`${tokenKey}:claim`, 'a-replica-that-died', 'PX', 60_000);
    formance.resetRequests();
    const answer = await b.query(ACCOUNT, { id: ids[1] });
    expect(codesOf(answer)).toEqual([]);
    expect(formance.arrivedPaths.filter((path) => path === TOKEN_PATH)).toHaveLength(1);
    // B's token is shared: the claim it waited out did not keep it from Redis.
    expect(await probe!.exists(tokenKey!)).toBe(1);
  });
});
