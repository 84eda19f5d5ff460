import type { Redis } from 'ioredis';
import { loadOnFirstUse } from '../load-on-first-use.ts';
import type { Logger } from '../logger.ts';

// Only with `server.redis`.
const ioredis = loadOnFirstUse<typeof import('ioredis')>('ioredis');

/** `server.redis`, as read from the configuration. */
export interface RedisSettings {
  readonly url: string;
  readonly keyPrefix: string;
  /** Replicas sharing this Redis (`server.redis.replicas`, default 1): what a replica's share of a quota is while Redis is away. */
  readonly replicas?: number;
}

/**
 * The one Redis connection of a gateway, shared by everything replicas share (quotas, tokens,
 * breakers, and the cache). Every command has a deadline (`COMMAND_TIMEOUT_MS`) and, Redis down,
 * fails at once (no offline queue): a caller treats any failure as "not shared now" and goes on
 * with its in-process state. The connection retries for ever in the background.
 *
 * `up` flips to false on the first failure and back on the next `ready`, and each flip is logged
 * once (warn, then info), with the server's host and port only: never a password of the URL.
 */
export interface SharedRedis {
  /** For commands; pass every call through `run` so its failure is counted and logged once. */
  readonly client: Redis;
  /** Every key and channel starts with it (`server.redis.keyPrefix`). */
  readonly prefix: string;
  /** `server.redis.replicas`: 1 unless configured. */
  readonly replicas: number;
  readonly up: boolean;
  /** Runs `command`; its value, or undefined when Redis failed it (down, slow past the deadline). */
  run<T>(command: (client: Redis) => Promise<T>): Promise<T | undefined>;
  /** A second connection for SUBSCRIBE (a subscribed connection takes no other command); `onReady` runs at each (re)connect. */
  subscriber(onReady: () => void): Redis;
  /**
   * True once the command connection and every subscriber are ready; false when `timeoutMs` passes
   * first (Redis down at start: the replica then runs on its own until it connects). Never rejects.
   */
  connected(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

/** A command Redis has not answered within this fails, and its caller falls back. */
export const COMMAND_TIMEOUT_MS = 500;
const CONNECT_TIMEOUT_MS = 1000;
/** The longest pause between reconnection attempts. */
const MAX_RECONNECT_MS = 1000;

/** `redis://:secret@host:6379/0` → `redis://host:6379`: what a log line may say of the server. */
export function redactRedisUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}`;
  } catch {
    return 'redis://(unparsable url)';
  }
}

export function createSharedRedis(settings: RedisSettings, logger: Pick<Logger, 'info' | 'warn'>): SharedRedis {
  const server = redactRedisUrl(settings.url);
  const options = {
    enableOfflineQueue: false,
    commandTimeout: COMMAND_TIMEOUT_MS,
    connectTimeout: CONNECT_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
    retryStrategy: (times: number) => Math.min(times * 100, MAX_RECONNECT_MS),
  };
  const { Redis: RedisClient } = ioredis();
  const client = new RedisClient(settings.url, options);
  const subscribers: Redis[] = [];
  // Starts as "up" so a Redis that is down at start is reported once, like one that goes down later.
  let up = true;
  let closed = false;
  const down = (code: string | undefined) => {
    if (!up || closed) return;
    up = false;
    logger.warn('redis unreachable: quotas, tokens, breakers and the read cache are per replica until it returns', {
      redis: server,
      code: code ?? 'ERROR',
    });
  };
  // ioredis emits connection errors as events; without a listener they would be thrown.
  client.on('error', (error: NodeJS.ErrnoException) => down(error.code));
  client.on('close', () => down('CLOSED'));
  client.on('ready', () => {
    if (up || closed) return;
    up = true;
    logger.info('redis reachable again: replicas share quotas, tokens, breakers and the read cache', { redis: server });
  });
  return {
    client,
    prefix: settings.keyPrefix,
    replicas: settings.replicas ?? 1,
    get up() {
      return up && client.status === 'ready';
    },
    async run(command) {
      // Not connected (yet, or again): the connection's own events say when Redis is down, once.
      if (client.status !== 'ready') return undefined;
      try {
        return await command(client);
      } catch (error) {
        if (isConnectionFailure(error)) down((error as NodeJS.ErrnoException).code ?? 'TIMEOUT');
        return undefined;
      }
    },
    subscriber(onReady) {
      const connection = new RedisClient(settings.url, {
        ...options,
        commandTimeout: undefined,
        enableOfflineQueue: true,
      });
      connection.on('error', () => {});
      connection.on('ready', onReady);
      subscribers.push(connection);
      return connection;
    },
    async connected(timeoutMs = CONNECT_TIMEOUT_MS) {
      const pending = [client, ...subscribers].filter((connection) => connection.status !== 'ready');
      if (pending.length === 0) return true;
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const ready = Promise.all(
        pending.map((connection) => new Promise((resolve) => connection.once('ready', resolve))),
      ).then(() => true as const);
      try {
        return await Promise.race([ready, late]);
      } finally {
        clearTimeout(timer);
      }
    },
    async close() {
      closed = true;
      // A subscriber has nothing to finish; QUIT on one that is reconnecting would wait for Redis.
      for (const connection of subscribers) connection.disconnect();
      await client.quit().catch(() => client.disconnect());
    },
  };
}

/** A script or reply error is Redis answering; anything else (timeout, closed socket) is Redis gone. */
function isConnectionFailure(error: unknown): boolean {
  return !(error instanceof Error && error.name === 'ReplyError');
}

/**
 * As `redis.run`, but gives up after `withinMs` (at most COMMAND_TIMEOUT_MS; nothing is sent when
 * it is 0 or less): a caller whose operation has less time left than Redis's own deadline must not
 * wait past it. Giving up says nothing of Redis (it may only be slow for this caller): nothing is
 * logged. A value that comes after is handed to `late`, for a command whose effect must be undone
 * (a turn booked that nobody will take).
 */
export async function runWithin<T>(
  redis: SharedRedis,
  withinMs: number,
  command: (client: Redis) => Promise<T>,
  late?: (value: T) => void,
): Promise<T | undefined> {
  const limit = Math.min(COMMAND_TIMEOUT_MS, Math.floor(withinMs));
  if (!(limit > 0)) return undefined;
  let timer: NodeJS.Timeout | undefined;
  let gaveUp = false;
  const answer = redis.run(command).then((value) => {
    if (gaveUp && value !== undefined) late?.(value);
    return value;
  });
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      gaveUp = true;
      resolve(undefined);
    }, limit);
  });
  try {
    return await Promise.race([answer, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
