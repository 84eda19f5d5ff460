import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import type { GatewayError } from '../src/errors.ts';
import { withRateLimit } from '../src/providers/http/rate-limit.ts';
import { SourceQuota } from '../src/providers/http/source-quota.ts';
import type { HttpRequest, HttpResponse } from '../src/providers/http/types.ts';
import { runInRequestScope } from '../src/request-scope.ts';
import { createSharedRedis, type SharedRedis } from '../src/shared-state/redis.ts';
import { createSharedQuotaLine } from '../src/shared-state/shared-quota.ts';
import { REDIS_MISSING, startRedis, type TestRedis } from './helpers/redis.ts';
import { nextTurn } from './helpers/shared-state-replicas.ts';
import { until } from './helpers/until.ts';

// The ground for sharing quotas between replicas through Redis (issue 16 items 5 and 6): a real
// redis-server per test, on a free 127.0.0.1 port, with nothing kept on disk.
if (REDIS_MISSING) console.warn(`skipping the Redis tests: ${REDIS_MISSING}`);

describe.skipIf(REDIS_MISSING !== null)('a test Redis', () => {
  let redis: TestRedis | undefined;
  afterEach(async () => {
    await redis?.stop();
    redis = undefined;
  });

  it('answers PING on its own port, goes away when killed, and comes back on the same port', async () => {
    redis = await startRedis();
    expect(redis.url).toBe(`redis://127.0.0.1:${redis.port}`);
    expect(await redis.ping()).toBe(true);
    await redis.kill();
    expect(await redis.ping()).toBe(false);
    await redis.restart();
    expect(await redis.ping()).toBe(true);
  });

  it('two servers at once get two ports', async () => {
    redis = await startRedis();
    const other = await startRedis();
    try {
      expect(other.port).not.toBe(redis.port);
      expect(await other.ping()).toBe(true);
    } finally {
      await other.stop();
    }
    expect(await redis.ping()).toBe(true);
  });
});

// The shared line's tests: a fresh Redis each, stopped (and thawed first, if a test froze it) after.
let redis: TestRedis | undefined;
let shared: SharedRedis | undefined;
let probe: Redis | undefined;
afterEach(async () => {
  redis?.resume();
  probe?.disconnect();
  await shared?.close();
  await redis?.stop();
  [redis, shared, probe] = [undefined, undefined, undefined];
});
/** Blnk's line (key prefix `test:`) at 1 call a second, over a fresh Redis, and a plain connection to it. */
async function blnkLine() {
  redis = await startRedis();
  shared = createSharedRedis({ url: redis.url, keyPrefix: 'test:' }, { info() {}, warn() {} });
  probe = new Redis(redis.url, { maxRetriesPerRequest: 0 });
  expect(await until(() => shared!.up)).toBe(true);
  const local = new SourceQuota({ requestsPerSecond: 1, burst: 1 });
  return { line: createSharedQuotaLine(shared, 'blnk', local), local, probe };
}
const HOLES = 'test:quota:{blnk}:holes';

describe.skipIf(REDIS_MISSING !== null)('a turn given back to the shared line', () => {
  it('counts once, only for a turn still ahead, and only from the line that booked it', async () => {
    const { line, local } = await blnkLine();
    const other = createSharedQuotaLine(shared!, 'blnk', local);
    const far = Date.now() + 60_000;
    const [due, second, third] = [await line.reserve(far), await line.reserve(far), await line.reserve(far)];
    expect(due && second && third).toBeTruthy();
    // Due already: nothing to give back. Twice the same turn: one. Another line's copy of a turn: none.
    line.release(due!);
    line.release(second!);
    line.release(second!);
    other.release(third!);
    line.release({ at: third!.at, epoch: third!.epoch });
    // The next booking takes the one turn given back (before `third`); the one after goes to the tail.
    const [taken, tail] = [await line.reserve(far), await line.reserve(far)];
    expect(taken!.at).toBeLessThan(third!.at);
    expect(tail!.at).toBeGreaterThan(third!.at);
  });

  it('booked before a vendor pause, a turn given back is no hole: the next booking comes after the pause', async () => {
    const { line, probe } = await blnkLine();
    const far = Date.now() + 60_000;
    const [due, ahead] = [await line.reserve(far), await line.reserve(far)];
    expect(due && ahead).toBeTruthy();
    // The vendor pauses the source for 10 s, then the caller of the turn 1 s ahead leaves.
    const until = Date.now() + 10_000;
    line.throttled(until);
    line.release(ahead!);
    const next = await line.reserve(far);
    expect(await probe.zcard(HOLES)).toBe(0);
    // At the pause's end (give or take a round trip to Redis), not at the given-back turn 9 s before it.
    expect(next!.at).toBeGreaterThan(until - 1000);
  });

  it('never holds more holes than the turns the line has ahead, whatever a replica gives back', async () => {
    const { line, local, probe } = await blnkLine();
    const far = Date.now() + 60_000;
    // Four turns booked: the line's tail is about 4 s ahead, room for about 5 turns (the burst included).
    for (let turn = 0; turn < 4; turn += 1) expect(await line.reserve(far)).toBeTruthy();
    const [seconds, micros] = await probe.time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    // A replica (of another version, or broken) gives back ten turns, each of the current epoch, ahead and behind the tail.
    const script = shared!.client as unknown as {
      gatewayQuota(...args: Array<string | number>): Promise<unknown>;
    };
    for (let turn = 0; turn < 10; turn += 1)
      await script.gatewayQuota(
        'test:quota:{blnk}',
        HOLES,
        'release',
        1,
        local.settings.burst,
        0,
        String(now + 100 + 150 * turn),
      );
    const holes = await probe.zcard(HOLES);
    expect(holes).toBeGreaterThan(0);
    expect(holes).toBeLessThanOrEqual(5);
  });
});

describe.skipIf(REDIS_MISSING !== null)('a caller that leaves while Redis is asked for its turn', () => {
  it('stops waiting for a frozen Redis at once, and the turn Redis books once it wakes is given back', async () => {
    const { line, probe } = await blnkLine();
    const far = Date.now() + 60_000;
    expect(await line.reserve(far)).toBeTruthy();
    const leaving = new AbortController();
    redis!.pause();
    const booking = line.reserve(far, leaving.signal).then((ticket) => ticket ?? 'none');
    leaving.abort();
    // Settled in the same turn of the event loop as the leaving, Redis still frozen.
    expect(await Promise.race([booking, nextTurn('still waiting for Redis')])).toBe('none');
    redis!.resume();
    // Redis books the turn (1 s ahead) it was asked for: nobody will take it, so it comes back as a hole.
    expect(await until(async () => (await probe.zcard('test:quota:{blnk}:holes')) === 1)).toBe(true);
  });

  it("a call through the quota ends with its operation's end while Redis is frozen, and never goes out", async () => {
    const { line, local } = await blnkLine();
    let sent = 0;
    // The vendor's side of the call: it never should be reached.
    const call = withRateLimit(
      'blnk',
      { quota: local, sharedQuota: line },
      async () => {
        sent += 1;
        return { status: 200, headers: {}, text: '{}' } as unknown as HttpResponse;
      },
      60_000,
    );
    const leaving = new AbortController();
    redis!.pause();
    const ended = runInRequestScope({ requestId: 'leaving', signal: leaving.signal }, () =>
      call({ method: 'GET', path: '/ledgers' } as HttpRequest, 'blnk'),
    ).then(
      () => 'answered',
      (error: GatewayError) => error.code,
    );
    leaving.abort();
    expect(await Promise.race([ended, nextTurn('still waiting for Redis')])).toMatch(/^OPERATION_/);
    redis!.resume();
    expect(sent).toBe(0);
  });
});
