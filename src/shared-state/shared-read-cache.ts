import { createHash } from 'node:crypto';
import type {
  ReadCacheEntry,
  ReadCacheLookup,
  ReadCacheSettings,
  ReadCacheStore,
} from '../providers/http/source-transport.ts';
import type { HttpResponse } from '../providers/http/types.ts';
import { stampReceived } from '../providers/read-freshness.ts';
import type { SharedRedis } from './redis.ts';

/** A cached answer as Redis holds it: the vendor's status, headers and body text as received (never parsed). */
interface StoredAnswer {
  readonly status: number;
  readonly headers: HttpResponse['headers'];
  readonly text: string;
  readonly receivedAt: number;
  readonly ttlMs: number;
}

/**
 * A source's read cache shared by every replica through Redis, in two tiers: the replica's own
 * store (`local`, in process) first, so a hit is the response object already parsed and mapped
 * (read-once), and Redis on a local miss or a local entry past its freshness, whose answer then
 * fills the local tier (parsed and mapped once per replica, not per request).
 *
 * Invalidation is a generation per source (`…cache:<source>:gen`, INCR'd by a write's `clear`), part
 * of every entry's key in Redis and locally: each lookup reads it (one small GET), so a top-up on one
 * replica stops every replica's entries at once, without SCAN or pub/sub, and a read in flight
 * across the write stores what it read under the old generation, where nobody looks.
 *
 * Keys hold a sha256 of the source and the vendor request (target, headers, accepted statuses): a
 * target or a header may carry a credential. Values hold vendor bodies, so Redis holds balances.
 * Every value expires (PX: the longer of its TTL and `staleIfErrorMs`, from its receive time); one
 * larger than `maxBytes` is not stored. Redis failing (down, or slower than the command deadline):
 * the local tier alone, under the last generation seen, as without `server.redis`.
 */
export function createSharedReadCache(
  redis: SharedRedis,
  source: string,
  local: ReadCacheStore,
  settings: ReadCacheSettings,
): ReadCacheStore {
  const generationKey = `${redis.prefix}cache:${source}:gen`;
  const entryKey = (generation: string, key: string) =>
    `${redis.prefix}cache:${source}:${generation}:${createHash('sha256').update(`${source}\n${key}`).digest('hex')}`;
  let known = '0';
  // The local tier's keys and generations carry the shared generation they were read under.
  const localKey = (generation: string, key: string) => `${generation}\n${key}`;
  const split = (generation: string) => {
    const at = generation.indexOf('/');
    return { shared: generation.slice(0, at), local: generation.slice(at + 1) };
  };

  return {
    async get(key): Promise<ReadCacheLookup> {
      const current = await redis.run((client) => client.get(generationKey));
      const shared = current === undefined ? known : (current ?? '0');
      known = shared;
      const mine = await local.get(localKey(shared, key));
      const lookup = { entry: mine.entry, generation: `${shared}/${mine.generation}` };
      if (current === undefined || (mine.entry !== undefined && isFresh(mine.entry))) return lookup;
      const text = await redis.run((client) => client.get(entryKey(shared, key)));
      const theirs = text ? decode(text) : undefined;
      if (theirs === undefined || (mine.entry !== undefined && theirs.receivedAt <= mine.entry.receivedAt))
        return lookup;
      await local.set(localKey(shared, key), theirs, mine.generation);
      return { ...lookup, entry: theirs };
    },
    async set(key, entry, generation) {
      const seen = split(generation);
      await local.set(localKey(seen.shared, key), entry, seen.local);
      const value = encode(entry);
      if (Buffer.byteLength(value) > settings.maxBytes) return;
      const expiresInMs = Math.ceil(Math.max(entry.ttlMs, settings.staleIfErrorMs) - (Date.now() - entry.receivedAt));
      if (expiresInMs <= 0) return;
      // Awaited (within the command deadline): the replica's answer leaves after the entry is in Redis.
      await redis.run((client) => client.set(entryKey(seen.shared, key), value, 'PX', expiresInMs));
    },
    async clear() {
      await local.clear();
      const next = await redis.run((client) => client.incr(generationKey));
      if (next !== undefined) known = String(next);
    },
  };
}

function isFresh(entry: ReadCacheEntry): boolean {
  return Date.now() - entry.receivedAt < entry.ttlMs;
}

function encode(entry: ReadCacheEntry): string {
  const { status, headers, text } = entry.response;
  const stored: StoredAnswer = { status, headers, text, receivedAt: entry.receivedAt, ttlMs: entry.ttlMs };
  return JSON.stringify(stored);
}

/** The entry a stored answer stands for, its response stamped with the receive time at the replica that fetched it; undefined for a value not ours. */
function decode(value: string): ReadCacheEntry | undefined {
  let stored: Partial<StoredAnswer>;
  try {
    stored = JSON.parse(value) as Partial<StoredAnswer>;
  } catch {
    return undefined;
  }
  const { status, headers, text, receivedAt, ttlMs } = stored;
  if (typeof status !== 'number' || typeof text !== 'string' || typeof headers !== 'object' || headers === null)
    return undefined;
  if (typeof receivedAt !== 'number' || typeof ttlMs !== 'number') return undefined;
  const response = stampReceived({ status, headers, text }, receivedAt);
  return { response, receivedAt, ttlMs };
}
