/** A cached vendor answer as the shared read cache keeps it in Redis (shared-read-cache.ts), and whether it is still fresh. */
import type { ReadCacheEntry } from '../providers/http/source-transport.ts';
import type { HttpResponse } from '../providers/http/types.ts';
import { stampReceived } from '../providers/read-freshness.ts';

/** A cached answer as Redis holds it: the vendor's status, headers and body text as received (never parsed). */
interface StoredAnswer {
  readonly status: number;
  readonly headers: HttpResponse['headers'];
  readonly text: string;
  readonly receivedAt: number;
  readonly ttlMs: number;
}

export function isFresh(entry: ReadCacheEntry): boolean {
  return Date.now() - entry.receivedAt < entry.ttlMs;
}

export function encode(entry: ReadCacheEntry): string {
  const { status, headers, text } = entry.response;
  const stored: StoredAnswer = { status, headers, text, receivedAt: entry.receivedAt, ttlMs: entry.ttlMs };
  return JSON.stringify(stored);
}

/** The entry a stored answer stands for, its response stamped with the receive time at the replica that fetched it; undefined for a value not ours. */
export function decode(value: string): ReadCacheEntry | undefined {
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
