import { afterEach, describe, expect, it } from 'vitest';
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
