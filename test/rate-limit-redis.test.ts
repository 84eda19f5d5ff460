import { afterEach, describe, expect, it } from 'vitest';
import { SourceQuota } from '../src/providers/http/source-quota.ts';
import { createSharedRedis, type SharedRedis } from '../src/shared-state/redis.ts';
import { createSharedQuotaLine } from '../src/shared-state/shared-quota.ts';
import { REDIS_MISSING, startRedis, type TestRedis } from './helpers/redis.ts';

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

describe.skipIf(REDIS_MISSING !== null)('a turn given back to the shared line', () => {
  let redis: TestRedis | undefined;
  let shared: SharedRedis | undefined;
  afterEach(async () => {
    await shared?.close();
    await redis?.stop();
    shared = undefined;
    redis = undefined;
  });

  it('counts once, only for a turn still ahead, and only from the line that booked it', async () => {
    redis = await startRedis();
    shared = createSharedRedis({ url: redis.url, keyPrefix: 'test:' }, { info() {}, warn() {} });
    for (const end = Date.now() + 5000; !shared.up && Date.now() < end; ) await new Promise((r) => setTimeout(r, 10));
    const local = new SourceQuota({ requestsPerSecond: 1, burst: 1 });
    const line = createSharedQuotaLine(shared, 'blnk', local);
    const other = createSharedQuotaLine(shared, 'blnk', local);
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
});
