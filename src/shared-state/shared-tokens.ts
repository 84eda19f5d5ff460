import { createHash } from 'node:crypto';
import type { SharedTokens, TokenEntry } from '../providers/http/source-transport.ts';
import type { SharedRedis } from './redis.ts';

/** A token without an expiry is kept this long in Redis at most (each replica still drops it on a 401). */
const UNBOUNDED_TOKEN_MS = 3_600_000;

/**
 * A source's OAuth tokens in Redis, so one replica's token serves every replica until its refresh
 * time. The key names the source and a hash of what the token was granted for (token URL and
 * client id), never the client id itself; the value is the token: Redis then holds vendor
 * credentials and must be private. Redis down: `get` finds nothing and each replica fetches its own.
 */
export function createSharedTokens(redis: SharedRedis, source: string): SharedTokens {
  const keyOf = (grant: string) =>
    `${redis.prefix}token:${source}:${createHash('sha256').update(grant).digest('hex').slice(0, 32)}`;
  return {
    async get(grant) {
      const text = await redis.run((client) => client.get(keyOf(grant)));
      if (text === undefined || text === null) return undefined;
      const entry = parse(text);
      return entry !== undefined && Date.now() < entry.refreshAt ? entry : undefined;
    },
    put(grant, entry) {
      const ttl = Number.isFinite(entry.refreshAt) ? Math.round(entry.refreshAt - Date.now()) : UNBOUNDED_TOKEN_MS;
      if (ttl <= 0) return;
      // refreshAt crosses the wire as "ms from now" in the key's expiry; the value keeps the epoch for replicas' checks.
      const value = JSON.stringify({ value: entry.value, refreshAt: Date.now() + ttl });
      void redis.run((client) => client.set(keyOf(grant), value, 'PX', ttl));
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
