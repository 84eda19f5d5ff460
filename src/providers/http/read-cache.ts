import { LRUCache } from 'lru-cache';
import { GatewayError } from '../../errors.ts';
import { currentScope } from '../../request-scope.ts';
import { cacheNotesOf } from '../cache-notes.ts';
import { freshnessOfResponse, stampReceived, staleCopy } from '../read-freshness.ts';
import { readKeyOf } from './read-key.ts';
import type { HttpResponse, SendCall } from './types.ts';

/** `sources[i].cache`: how long a source's vendor reads are answered from memory. */
export interface ReadCacheSettings {
  /** How long a read is fresh. */
  readonly ttlMs: number;
  /** How long a read marked `cache: 'history'` (a point of a day before today) is fresh. */
  readonly historyTtlMs: number;
  /** Most bytes of cached bodies (and their keys); least recently used entries go first. */
  readonly maxBytes: number;
  /** How old a cached read may be and still answer, marked stale, when the vendor call fails. */
  readonly staleIfErrorMs: number;
}

/** One cached vendor answer: the response, when it was received (its `observedAt`) and how long it is fresh. */
export interface ReadCacheEntry {
  readonly response: HttpResponse;
  readonly receivedAt: number;
  readonly ttlMs: number;
}

/**
 * What a lookup found, and the store's generation at that moment: a `set` under an older generation
 * is dropped. `set` and `abandon` take the lookup back, so what it derived from the key is not derived again.
 */
export interface ReadCacheLookup {
  readonly entry: ReadCacheEntry | undefined;
  readonly generation: string;
  /** The store's own name for the key, when the lookup worked one out (the shared store's HMAC of it). */
  readonly storeKey?: string;
}

/**
 * Where a source's cached reads live: in process (`createMemoryStore`), or shared by every replica
 * through Redis (src/shared-state/shared-read-cache.ts), which keeps `entry.response` as its status,
 * headers and text. A lookup may return an entry past its freshness (it may still answer, stale, on
 * an error). Generations close a race: a read in flight while a write clears the store must not
 * put back what it read before the write, so `set` takes the lookup it follows, with its generation.
 */
export interface ReadCacheStore {
  /** `maxAgeMs`: the oldest entry the caller takes (its `Cache-Control`); a shared store need not wait for a fill it would not take. */
  get(key: string, maxAgeMs?: number): Promise<ReadCacheLookup>;
  set(key: string, entry: ReadCacheEntry, lookup: ReadCacheLookup): Promise<void>;
  /** Forgets every read of the source (a write changed what they say). */
  clear(): Promise<void>;
  /** The vendor call a miss led to failed: nothing will be `set` for it (a shared store stops others waiting for it). */
  abandon?(key: string, lookup: ReadCacheLookup): Promise<void>;
}

/** An in-process store bounded by bytes: lru-cache with `maxSize`, each entry sized by its body and key. */
export function createMemoryStore(settings: ReadCacheSettings): ReadCacheStore {
  const lru = new LRUCache<string, ReadCacheEntry>({
    maxSize: settings.maxBytes,
    sizeCalculation: (entry, key) => Math.max(1, entry.response.text.length + key.length),
    // Kept as long as it may still serve: fresh, or stale on an error.
    ttl: 0,
  });
  let generation = 0;
  return {
    get: async (key) => ({ entry: lru.get(key), generation: String(generation) }),
    set: async (key, entry, lookup) => {
      if (lookup.generation !== String(generation)) return;
      lru.set(key, entry, { ttl: Math.max(entry.ttlMs, settings.staleIfErrorMs) });
    },
    clear: async () => {
      generation += 1;
      lru.clear();
    },
  };
}

/** The failures a stale answer may stand in for: the vendor slow, down, throttling, or the breaker or quota holding calls back. */
const STALE_ON = new Set(['SOURCE_TIMEOUT', 'SOURCE_UNAVAILABLE', 'SOURCE_RATE_LIMITED']);

/**
 * The outermost layer of a client: GET reads of the source answered from its cache while fresh,
 * every other call passed on. It sits outside in-flight sharing, in the caller's request scope, so
 * a hit is noted on the caller's operation and the caller's `Cache-Control` (cache-notes.ts)
 * decides what is fresh enough for it. Scoping is in front of the clients (resolvers refuse a
 * source a caller may not see before any call), so a shared cache never widens what a caller sees.
 *
 * Every response is stamped with its receive time (read-freshness.ts), cache or not: that is
 * `Balance.observedAt`. A cached entry is the response object itself, so a hit reuses the parse
 * and mappings read-once made of it (an entry from Redis becomes one such object per replica). A write marked `cache: 'invalidate'` forgets the source's
 * cached reads: what a top-up changes is the account's balance, which several reads (lists,
 * lookups, the subaccounts) show; clearing all is the one rule that never serves a balance from before it.
 */
export function withReadCache(
  source: string,
  store: ReadCacheStore | undefined,
  settings: ReadCacheSettings | undefined,
  send: SendCall,
): SendCall {
  if (store === undefined || settings === undefined) {
    return async (request, target, permit) => stampReceived(await send(request, target, permit));
  }
  return async (request, target, permit) => {
    if (request.cache === 'invalidate') {
      // Forgotten whatever the outcome: a write that timed out may still have happened.
      try {
        return stampReceived(await send(request, target, permit));
      } finally {
        await store.clear();
      }
    }
    const key = readKeyOf(request, target);
    // POST reads (Blnk's filter, Vonage's settings) and token calls go on, uncached.
    if (key === undefined) return stampReceived(await send(request, target, permit));
    const operation = currentScope()?.operation;
    const notes = operation === undefined ? undefined : cacheNotesOf(operation);
    const lookup = await store.get(key, notes?.wanted.maxAgeMs);
    const { entry, generation } = lookup;
    const now = Date.now();
    if (entry !== undefined) {
      const age = now - entry.receivedAt;
      if (age < entry.ttlMs && age <= (notes?.wanted.maxAgeMs ?? Number.POSITIVE_INFINITY)) {
        if (notes !== undefined) {
          notes.hits += 1;
          notes.oldest = Math.min(notes.oldest ?? entry.receivedAt, entry.receivedAt);
        }
        return entry.response;
      }
    }
    try {
      // The key and generation go with the call: it joins only calls whose answer may be stored under it.
      const sent = { ...request, readKey: key, cacheGeneration: generation };
      const response = stampReceived(await send(sent, target, permit));
      const ttlMs = request.cache === 'history' ? settings.historyTtlMs : settings.ttlMs;
      await store.set(key, { response, receivedAt: freshnessOfResponse(response).observedAt, ttlMs }, lookup);
      return response;
    } catch (error) {
      await store.abandon?.(key, lookup);
      const code = error instanceof GatewayError ? error.code : undefined;
      if (entry === undefined || code === undefined || !STALE_ON.has(code)) throw error;
      if (Date.now() - entry.receivedAt >= settings.staleIfErrorMs) throw error;
      notes?.stale.push({ source, error: code, observedAt: entry.receivedAt });
      return staleCopy(entry.response);
    }
  };
}
