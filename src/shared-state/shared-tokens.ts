import { createHash, randomUUID } from 'node:crypto';
import type { SharedTokens, TokenEntry } from '../providers/http/source-transport.ts';
import type { SharedRedis } from './redis.ts';

/** A token without an expiry is kept this long in Redis at most (each replica still drops it on a 401). */
const UNBOUNDED_TOKEN_MS = 3_600_000;
/** How often a replica waiting for another's token request looks for its token. */
const POLL_MS = 25;
/** Deletes a claim only if it is still the one this replica took (it may have lapsed and been taken by another). */
const UNLOCK = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0";

/**
 * A source's OAuth tokens in Redis, so one replica's token serves every replica until its refresh
 * time. The key names the source and a hash of what the token was granted for (token URL and
 * client id), never the client id itself; the value is the token: Redis then holds vendor
 * credentials and must be private. Redis down: `get` finds nothing and each replica fetches its own.
 *
 * Replicas that find no token at once fetch one between them: the first takes a claim (SET NX,
 * expiring after the wait it was given: as long as the holder's token request may take, its waits
 * for a permit and a quota turn included), then looks for a token once more (a holder may have
 * stored one and let go since this replica's `get`), and the others poll for its
 * token every POLL_MS. A holder that dies or hangs lets its claim lapse, and the next poller takes
 * it; a waiter whose wait runs out fetches its own. Polling, not pub/sub: the wait is one token
 * request long and rare (once per token lifetime), and a poll also notices a lapsed claim.
 */
export function createSharedTokens(redis: SharedRedis, source: string): SharedTokens {
  const keyOf = (grant: string) =>
    `${redis.prefix}token:${source}:${createHash('sha256').update(grant).digest('hex').slice(0, 32)}`;
  const claimOf = (grant: string) => `${keyOf(grant)}:claim`;
  // The claims this replica holds, by grant: what unlocking compares before deleting.
  const held = new Map<string, string>();
  const unlock = (grant: string) => {
    const id = held.get(grant);
    if (id === undefined) return;
    held.delete(grant);
    void redis.run((client) => client.eval(UNLOCK, 1, claimOf(grant), id));
  };
  const get = async (grant: string) => {
    const text = await redis.run((client) => client.get(keyOf(grant)));
    if (text === undefined || text === null) return undefined;
    const entry = parse(text);
    return entry !== undefined && Date.now() < entry.refreshAt ? entry : undefined;
  };
  return {
    get,
    async claimFetch(grant, waitMs, refused, signal) {
      const id = randomUUID();
      const end = Date.now() + waitMs;
      for (;;) {
        const claimed = await redis.run((client) => client.set(claimOf(grant), id, 'PX', Math.max(1, waitMs), 'NX'));
        if (claimed === 'OK') {
          held.set(grant, id);
          // The claim may be won just after the holder before stored its token and let go: that token, not a second request.
          const stored = await get(grant);
          if (stored === undefined || stored.value === refused) return undefined;
          unlock(grant);
          return stored;
        }
        if (claimed !== null) return undefined;
        if (Date.now() + POLL_MS >= end || !(await pause(POLL_MS, signal))) return undefined;
        const found = await get(grant);
        if (found !== undefined && found.value !== refused) return found;
      }
    },
    unlock,
    put(grant, entry) {
      const ttl = Number.isFinite(entry.refreshAt) ? Math.round(entry.refreshAt - Date.now()) : UNBOUNDED_TOKEN_MS;
      if (ttl > 0) {
        // refreshAt crosses the wire as "ms from now" in the key's expiry; the value keeps the epoch for replicas' checks.
        const value = JSON.stringify({ value: entry.value, refreshAt: Date.now() + ttl });
        void redis.run((client) => client.set(keyOf(grant), value, 'PX', ttl));
      }
      // After the token, on the same connection: a waiter that sees the claim gone finds the token.
      unlock(grant);
    },
    forget(grant, value) {
      void redis.run(async (client) => {
        const entry = parse((await client.get(keyOf(grant))) ?? '');
        if (entry?.value === value) await client.del(keyOf(grant));
      });
    },
  };
}

function parse(text: string): TokenEntry | undefined {
  try {
    const value = JSON.parse(text) as Partial<TokenEntry>;
    return typeof value.value === 'string' && typeof value.refreshAt === 'number'
      ? { value: value.value, refreshAt: value.refreshAt }
      : undefined;
  } catch {
    return undefined;
  }
}

/** Waits `ms`; false when `signal` ended the wait (the fetch is no longer wanted). */
function pause(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const stop = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve(true);
    }, ms);
    signal?.addEventListener('abort', stop, { once: true });
  });
}
