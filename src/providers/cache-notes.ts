import type { Operation } from '../request-scope.ts';

/** What the caller asked of cached reads: the standard `Cache-Control` request header's `max-age` and `no-cache`. */
export interface FreshnessWanted {
  /** Oldest cached answer (ms) the caller accepts; 0 for `no-cache`; absent: the source's TTL decides. */
  readonly maxAgeMs?: number;
}

/** A read answered from the cache past its freshness because the vendor failed: what a client shows ("as of 10:42"). */
export interface StaleWarning {
  readonly source: string;
  /** The error the vendor call failed with (`SOURCE_TIMEOUT`, `SOURCE_UNAVAILABLE`, `SOURCE_RATE_LIMITED`). */
  readonly error: string;
  /** When the answer served was read from the vendor (epoch ms). */
  readonly observedAt: number;
}

export interface CacheNotes {
  wanted: FreshnessWanted;
  /** Vendor reads answered from the cache. */
  hits: number;
  /** When the oldest of them was read from the vendor (epoch ms). */
  oldest?: number;
  readonly stale: StaleWarning[];
}

/** Beside the operation, as request-scope.ts keeps the sources it called. */
const notes = new WeakMap<Operation, CacheNotes>();

export function cacheNotesOf(operation: Operation): CacheNotes {
  let own = notes.get(operation);
  if (own === undefined) {
    own = { wanted: {}, hits: 0, stale: [] };
    notes.set(operation, own);
  }
  return own;
}

/** The freshness a `Cache-Control` request header asks for; directives other than `no-cache` and `max-age` are ignored. */
export function freshnessWanted(header: string | null): FreshnessWanted {
  if (header === null) return {};
  let maxAgeMs: number | undefined;
  for (const part of header.split(',')) {
    const [name = '', value] = part.trim().toLowerCase().split('=');
    if (name === 'no-cache' || name === 'no-store') maxAgeMs = 0;
    else if (name === 'max-age' && value !== undefined && /^\d{1,9}$/.test(value)) {
      maxAgeMs = Math.min(maxAgeMs ?? Number.POSITIVE_INFINITY, Number(value) * 1000);
    }
  }
  return maxAgeMs === undefined ? {} : { maxAgeMs };
}
