/** Pages of one size, numbered from 1, read from `first` to `last` inclusive. */
export interface PagePlan {
  readonly size: number;
  readonly first: number;
  readonly last: number;
}

/**
 * The page reads that cover the offset range `[offset, offset + limit)` at a vendor that pages by
 * page number (from 1) and page size: the smallest page size from `limit` to `max` whose one page
 * holds the whole range, else `max`-item pages. `max` is the vendor's largest page size; it has no
 * default because each vendor has its own. Expects integers, `offset` ≥ 0 and `limit`, `max` ≥ 1.
 */
export function planPageReads(offset: number, limit: number, max: number): PagePlan {
  for (let size = limit; size <= max; size += 1) {
    const first = Math.floor(offset / size);
    if (first === Math.floor((offset + limit - 1) / size)) return { size, first: first + 1, last: first + 1 };
  }
  return { size: max, first: Math.floor(offset / max) + 1, last: Math.floor((offset + limit - 1) / max) + 1 };
}
