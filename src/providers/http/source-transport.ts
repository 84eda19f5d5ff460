import type { Telemetry } from '../../telemetry/index.ts';
import { CircuitBreaker, DEFAULT_BREAKER, type BreakerSettings } from './circuit-breaker.ts';
import type { Logger } from '../../logger.ts';
import { createMemoryStore, type ReadCacheSettings, type ReadCacheStore } from './read-cache.ts';

export type { ReadCacheEntry, ReadCacheLookup, ReadCacheSettings, ReadCacheStore } from './read-cache.ts';
import { type QuotaEvent, type RateLimitSettings, type SharedQuotaLine, SourceQuota } from './source-quota.ts';

/** How the gateway talks to one source, beyond its deadline: `sources[i].retries`, `maxResponseBytes`, `circuitBreaker`. */
export interface TransportSettings {
  /** Retries of an idempotent read after a retryable failure (0 to 2). */
  readonly retries: number;
  /** Largest response body accepted, after decompression. */
  readonly maxResponseBytes: number;
  readonly circuitBreaker: BreakerSettings;
  /** `sources[i].rateLimit`: the source's outbound quota (rate-limit.ts); absent (the default), calls go as they come. */
  readonly rateLimit?: RateLimitSettings;
  /** `sources[i].cache`: the source's read cache (read-cache.ts); absent (the default), every read goes to the vendor. */
  readonly cache?: ReadCacheSettings;
}

export const DEFAULT_TRANSPORT: TransportSettings = {
  retries: 2,
  maxResponseBytes: 16 * 1024 * 1024,
  circuitBreaker: DEFAULT_BREAKER,
};

/** The settings of one source with its live circuit breaker, shared by every HTTP client of that source. */
export interface SourceTransport {
  readonly retries: number;
  readonly maxResponseBytes: number;
  readonly breaker: CircuitBreaker;
  /** The gateway's metrics and traces, observed around each call (observe-calls.ts); absent: nothing observed. */
  readonly telemetry?: Telemetry;
  /** The source's quota, shared like the breaker by every client of the source (token requests too); absent when off. */
  readonly quota?: SourceQuota;
  /** The source's read cache and its settings, shared by every client of the source; absent when off. */
  readonly cache?: ReadCacheSettings;
  readonly readCache?: ReadCacheStore;
  /** With `server.redis`: the quota's line every replica books in (`quota` stands in when Redis fails). */
  readonly sharedQuota?: SharedQuotaLine;
  /** With `server.redis`: OAuth tokens every replica of the source reuses. */
  readonly tokens?: SharedTokens;
}

/** An OAuth access token and when to fetch the next (epoch ms; Infinity: until the vendor refuses it). */
export interface TokenEntry {
  readonly value: string;
  readonly refreshAt: number;
}

/** A source's tokens kept where every replica finds them, by what they were granted for (`grant`: URL and client). */
export interface SharedTokens {
  /** A token another replica (or this one) fetched, still before its refresh time; undefined when none or Redis is away. */
  get(grant: string): Promise<TokenEntry | undefined>;
  put(grant: string, entry: TokenEntry): void;
  /** Drops `value` if it is still the shared token (the vendor refused it). */
  forget(grant: string, value: string): void;
  /**
   * Before fetching a token that `get` did not find: one replica fetches for all. Resolves to the
   * token another replica's fetch brought meanwhile (never `refused`), or undefined when this
   * replica is to fetch: it holds the claim (then `put` or `unlock` ends it), or none could be had
   * within `waitMs` (the holder gone or slow, Redis away, `signal` aborted).
   */
  claimFetch(grant: string, waitMs: number, refused?: string, signal?: AbortSignal): Promise<TokenEntry | undefined>;
  /** Ends this replica's claim to fetch (its fetch failed); `put` ends it too. */
  unlock(grant: string): void;
}

/** What `server.redis` shares of one source (gateway.ts builds it from src/shared-state/). */
export interface SourceSharing {
  quota?(local: SourceQuota): SharedQuotaLine;
  readonly tokens?: SharedTokens;
  /** The source's read cache shared by every replica, with `local` (the replica's own store) in front and standing in while Redis fails. */
  readCache?(local: ReadCacheStore, settings: ReadCacheSettings): ReadCacheStore;
}

/** `logger` hears when a vendor throttles the source's quota and when its rate is whole again (no vendor detail). */
export function createSourceTransport(
  source: string,
  settings: TransportSettings = DEFAULT_TRANSPORT,
  logger?: Pick<Logger, 'info' | 'warn'>,
  sharing?: SourceSharing,
): SourceTransport {
  const notify = (event: QuotaEvent) =>
    event.event === 'throttled'
      ? logger?.warn('source throttled the gateway: calls paused, rate lowered', { source, ...event })
      : logger?.info('source quota back at its full rate', { source, ...event });
  const quota = settings.rateLimit ? new SourceQuota(settings.rateLimit, Date.now(), notify) : undefined;
  const sharedQuota = quota && sharing?.quota ? sharing.quota(quota) : undefined;
  return {
    retries: settings.retries,
    maxResponseBytes: settings.maxResponseBytes,
    breaker: new CircuitBreaker(source, settings.circuitBreaker),
    ...(settings.cache ? { cache: settings.cache, readCache: readCacheOf(settings.cache, sharing) } : {}),
    ...(quota ? { quota } : {}),
    ...(sharedQuota ? { sharedQuota } : {}),
    ...(sharing?.tokens ? { tokens: sharing.tokens } : {}),
  };
}

function readCacheOf(settings: ReadCacheSettings, sharing: SourceSharing | undefined): ReadCacheStore {
  const local = createMemoryStore(settings);
  return sharing?.readCache ? sharing.readCache(local, settings) : local;
}
