import type { Logger } from '../logger.ts';
import type { CircuitBreaker } from '../providers/http/circuit-breaker.ts';
import type { SourceSharing } from '../providers/http/source-transport.ts';
import { createSharedRedis, type RedisSettings, type SharedRedis } from './redis.ts';
import { shareBreakers } from './shared-breakers.ts';
import { createSharedQuotaLine } from './shared-quota.ts';
import { createSharedReadCache } from './shared-read-cache.ts';
import { createSharedTokens } from './shared-tokens.ts';

export { createSharedRedis, redactRedisUrl, type RedisSettings, type SharedRedis } from './redis.ts';

/**
 * What replicas share through `server.redis` (issue 16 item 5): each source's quota line, OAuth
 * tokens and read cache (`forSource`, given to its transport) and its breaker (`linkBreakers`, once they
 * all exist). Every piece falls back to its in-process self while Redis fails, on its own.
 */
export interface SharedState {
  readonly redis: SharedRedis;
  forSource(source: string): SourceSharing;
  /** `probeMs`: how long a half-open probe of the source may take (its timeout). */
  linkBreakers(breakers: ReadonlyMap<string, CircuitBreaker>, probeMs: (source: string) => number): void;
  close(): Promise<void>;
}

/** `cacheKeySecret`: keys the read cache's key hashes (the deployment's `server.cursorSecret`), plain sha256 without. */
export function createSharedState(
  settings: RedisSettings,
  logger: Pick<Logger, 'info' | 'warn'>,
  cacheKeySecret?: string,
): SharedState {
  const redis = createSharedRedis(settings, logger);
  return {
    redis,
    forSource: (source) => ({
      quota: (local) => createSharedQuotaLine(redis, source, local),
      tokens: createSharedTokens(redis, source),
      readCache: (local, settings) => createSharedReadCache(redis, source, local, settings, cacheKeySecret),
    }),
    linkBreakers: (breakers, probeMs) => shareBreakers(redis, breakers, probeMs),
    close: () => redis.close(),
  };
}
