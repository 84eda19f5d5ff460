import type { Redis } from 'ioredis';
import { runWithin, type SharedRedis } from './redis.ts';

/**
 * As runWithin, and stops waiting at once when `signal` aborts (the caller left, its operation
 * ended): undefined then, and a reply that comes after goes to `late`, as one past the wait.
 */
export function runUntilLeft<T>(
  redis: SharedRedis,
  withinMs: number,
  command: (client: Redis) => Promise<T>,
  signal: AbortSignal | undefined,
  late?: (value: T) => void,
): Promise<T | undefined> {
  if (signal === undefined) return runWithin(redis, withinMs, command, late);
  if (signal.aborted) return Promise.resolve(undefined);
  let left = false;
  return new Promise((resolve) => {
    const leave = () => {
      left = true;
      resolve(undefined);
    };
    signal.addEventListener('abort', leave, { once: true });
    void runWithin(redis, withinMs, command, late).then((value) => {
      signal.removeEventListener('abort', leave);
      if (left && value !== undefined) late?.(value);
      resolve(value);
    });
  });
}
