import { createHash, createHmac, randomUUID } from 'node:crypto';
import type {
  ReadCacheEntry,
  ReadCacheLookup,
  ReadCacheSettings,
  ReadCacheStore,
} from '../providers/http/source-transport.ts';
import { createSharedWork } from '../providers/shared-work.ts';
import { currentScope } from '../request-scope.ts';
import type { SharedRedis } from './redis.ts';
import { decode, encode, isFresh } from './stored-answer.ts';

/** The longest a replica's claim to fill a read keeps the others waiting for its answer (a slower vendor call lets them fetch too). */
const FILL_CLAIM_MS = 2000;
/** How often a waiting replica looks for the filled entry. */
const FILL_POLL_MS = 15;
/** How often a write's generation INCR that Redis failed is tried again, lookups or not. */
const RETRY_BUMP_MS = 1000;

/** Deletes a fill claim only while it is still the given token's: a claim that expired and was taken by another replica stays. */
const RELEASE_CLAIM = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";
/**
 * The source's generation; a missing one (never set, evicted, deleted, Redis restarted empty) is
 * set to ARGV[1], a value above any generation handed out before (ms time × 1000 + random), never 0:
 * entries still alive under an old generation must not be read again.
 */
const READ_GENERATION =
  "local g = redis.call('GET', KEYS[1]) if g then return g end redis.call('SET', KEYS[1], ARGV[1]) return ARGV[1]";
/** The next generation, seeded as READ_GENERATION does when the key is missing. */
const NEXT_GENERATION =
  "if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SET', KEYS[1], ARGV[1]) end return redis.call('INCR', KEYS[1])";
const seed = () => String(Date.now() * 1000 + Math.floor(Math.random() * 1000));

/**
 * A source's read cache shared by every replica through Redis, in two tiers: the replica's own
 * store (`local`, in process) first, so a hit is the response object already parsed and mapped
 * (read-once), and Redis on a local miss or a local entry past its freshness, whose answer then
 * fills the local tier (parsed and mapped once per replica, not per request).
 *
 * Invalidation is a generation per source (`…cache:<source>:gen`, INCR'd by a write's `clear`), part
 * of every entry's key in Redis and locally: each lookup reads it (one small round trip), so a top-up on one
 * replica stops every replica's entries at once, without SCAN or pub/sub, and a read in flight
 * across the write stores what it read under the old generation, where nobody looks.
 *
 * Keys hold an HMAC-SHA256 (keyed by `keySecret`, the deployment's `server.cursorSecret`; a plain
 * sha256 without one) of the source and the vendor request (target, headers, accepted statuses): a
 * target or a header may carry a credential, and with the secret a reader of the keys cannot test
 * guessed (weak) vendor keys against them offline. Values hold vendor bodies, so Redis holds balances.
 * Every value expires (PX: the longer of its TTL and `staleIfErrorMs`, from its receive time); one
 * larger than `maxBytes` is not stored. Redis failing (down, or slower than the command deadline):
 * the local tier alone, under the last generation seen, as without `server.redis`.
 */
export function createSharedReadCache(
  redis: SharedRedis,
  source: string,
  local: ReadCacheStore,
  settings: ReadCacheSettings,
  keySecret?: string,
): ReadCacheStore {
  const generationKey = `${redis.prefix}cache:${source}:gen`;
  const hash = () => (keySecret === undefined ? createHash('sha256') : createHmac('sha256', keySecret));
  const entryKey = (generation: string, key: string) =>
    `${redis.prefix}cache:${source}:${generation}:${hash().update(`${source}\n${key}`).digest('hex')}`;
  let known = '0';
  // A write's INCR failed: Redis may still hold the old generation's entries, so this replica skips
  // the Redis tier until an INCR succeeds, retried at its lookups and every RETRY_BUMP_MS meanwhile
  // (the other replicas read the old generation until one does: the README says so).
  let unbumped = false;
  let retrying: Promise<boolean> | undefined;
  let retryTimer: NodeJS.Timeout | undefined;
  const bump = async (): Promise<boolean> => {
    const next = await redis.run((client) => client.eval(NEXT_GENERATION, 1, generationKey, seed()));
    if (next === undefined) {
      unbumped = true;
      retryTimer ??= setInterval(() => void retryBump(), RETRY_BUMP_MS).unref();
      return false;
    }
    unbumped = false;
    clearInterval(retryTimer);
    retryTimer = undefined;
    known = String(next);
    return true;
  };
  // Lookups that find the INCR owed share one retry: each INCR would clear every replica's entries again.
  const retryBump = () => {
    retrying ??= bump().finally(() => {
      retrying = undefined;
    });
    return retrying;
  };
  // Fill claims this replica holds, by entry key: their random tokens (only the claimant releases one).
  const claims = new Map<string, string>();
  // The local tier's keys and generations carry the shared generation they were read under.
  const localKey = (generation: string, key: string) => `${generation}\n${key}`;
  const split = (generation: string) => {
    const at = generation.indexOf('/');
    return { shared: generation.slice(0, at), local: generation.slice(at + 1) };
  };

  /**
   * Nothing fresh in Redis: one replica fetches (it claims the fill, `SET NX`, until it stores the
   * answer or gives up, `FILL_CLAIM_MS` at most) and the others wait for its entry instead of each
   * calling the vendor for the same read at the same moment (a key every replica reads expires
   * everywhere at once). Concurrent misses of one read in a replica share one look, which stops
   * (releasing a claim it won) once its last caller has left. A look for callers who would not take
   * what a fill gives (`no-cache`, a `max-age` under the poll interval) claims but never waits.
   */
  const shareLook = createSharedWork<ReadCacheEntry | undefined>(() => new CallerLeft());
  const lookOnce = async (at: string, wait: boolean): Promise<ReadCacheEntry | undefined> => {
    try {
      // The look runs in a scope of its own (shared-work.ts), whose signal aborts once every caller has left.
      return await shareLook(`${at}\n${wait}`, () => look(at, wait, currentScope()?.signal));
    } catch (error) {
      if (error instanceof CallerLeft) return undefined;
      throw error;
    }
  };
  const look = async (
    at: string,
    wait: boolean,
    left: AbortSignal | undefined,
  ): Promise<ReadCacheEntry | undefined> => {
    const text = await redis.run((client) => client.get(at));
    const found = text ? decode(text) : undefined;
    if ((found !== undefined && isFresh(found)) || left?.aborted) return found;
    // 'OK': this replica fills; undefined: Redis failed, each replica on its own.
    const token = randomUUID();
    const claimed = await redis.run((client) => client.set(`${at}:fill`, token, 'PX', FILL_CLAIM_MS, 'NX'));
    if (claimed === 'OK') {
      claims.set(at, token);
      // Nobody is left to fill it: the others need not wait for this claim.
      if (left?.aborted) return void (await release(at));
      // Another replica may have stored the read between the look and the claim (its store ends its claim).
      const again = await redis.run((client) => client.get(at));
      const stored = again ? decode(again) : undefined;
      if (stored === undefined || !isFresh(stored)) return found;
      await release(at);
      return stored;
    }
    if (claimed !== null || !wait) return found;
    for (const end = Date.now() + FILL_CLAIM_MS; Date.now() < end && !left?.aborted; ) {
      await new Promise((resolve) => setTimeout(resolve, FILL_POLL_MS));
      const [value, filling] = (await redis.run((client) => client.mget(at, `${at}:fill`))) ?? [null, null];
      const filled = value ? decode(value) : undefined;
      if (filled !== undefined && isFresh(filled)) return filled;
      if (filling === null || filling === undefined) break;
    }
    return found;
  };
  const release = async (at: string) => {
    const token = claims.get(at);
    if (token === undefined) return;
    claims.delete(at);
    await redis.run((client) => client.eval(RELEASE_CLAIM, 1, `${at}:fill`, token));
  };

  return {
    async get(key, maxAgeMs = Number.POSITIVE_INFINITY): Promise<ReadCacheLookup> {
      const current =
        unbumped && !(await retryBump())
          ? undefined
          : await redis.run((client) => client.eval(READ_GENERATION, 1, generationKey, seed()));
      const shared = current === undefined ? known : String(current);
      known = shared;
      const inLocal = localKey(shared, key);
      const mine = await local.get(inLocal);
      const generation = `${shared}/${mine.generation}`;
      if (current === undefined || (mine.entry !== undefined && isFresh(mine.entry)))
        return { entry: mine.entry, generation };
      // Derived once per lookup: a miss's set or abandon takes it back from the lookup.
      const storeKey = entryKey(shared, key);
      const theirs = await lookOnce(storeKey, maxAgeMs >= FILL_POLL_MS);
      if (theirs === undefined || (mine.entry !== undefined && theirs.receivedAt <= mine.entry.receivedAt))
        return { entry: mine.entry, generation, storeKey };
      await local.set(inLocal, theirs, mine);
      return { entry: theirs, generation, storeKey };
    },
    async set(key, entry, lookup) {
      const seen = split(lookup.generation);
      await local.set(localKey(seen.shared, key), entry, { entry: undefined, generation: seen.local });
      const at = lookup.storeKey ?? entryKey(seen.shared, key);
      const value = encode(entry);
      const expiresInMs = Math.ceil(Math.max(entry.ttlMs, settings.staleIfErrorMs) - (Date.now() - entry.receivedAt));
      if (Buffer.byteLength(value) > settings.maxBytes || expiresInMs <= 0 || unbumped) return release(at);
      const token = claims.get(at);
      claims.delete(at);
      // Awaited (within the command deadline): the replica's answer leaves after the entry is in Redis.
      await redis.run((client) => {
        const store = client.multi().set(at, value, 'PX', expiresInMs);
        return (token === undefined ? store : store.eval(RELEASE_CLAIM, 1, `${at}:fill`, token)).exec();
      });
    },
    abandon: async (key, lookup) => release(lookup.storeKey ?? entryKey(split(lookup.generation).shared, key)),
    // The INCR first: a local clear before it would let a lookup in between refill from Redis's old generation.
    async clear() {
      await bump();
      await local.clear();
    },
  };
}

/** A caller whose operation ended (its answer sent, its client gone) while a shared look went on: it takes no entry. */
class CallerLeft extends Error {}
