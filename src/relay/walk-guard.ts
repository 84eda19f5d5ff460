import { identitiesOf } from './page-identities.ts';

/**
 * The bound on one walk over a vendor's pages. Reading a Relay page through a vendor's paging, and
 * each lookup or history loop of a connector that follows a vendor's next cursor, is a walk, and
 * left to itself the vendor decides when it ends. The guard ends it instead, before the call that
 * would break one of these rules:
 * - a cursor already followed in this walk (a next cursor that does not advance, or leads back);
 * - a page none of whose records is new beside the page before it (a repeated page, an offset the
 *   vendor ignores); pages that only overlap, as offset pages do when a vendor inserts during the
 *   walk, are allowed. Only the previous page's keys are kept, so a walk holds one page of keys
 *   however long it runs; a longer loop under fresh cursors is ended by `maxPages`;
 * - `MAX_EMPTY_PAGES_IN_A_ROW` pages in a row that hold no record yet claim more;
 * - more than `maxPages` pages.
 * Pure: what a stop becomes for a client (the source it names, its code) is `WalkBounds.failure`.
 * A record listed twice within one page is not the walk's business: that is a bad answer however
 * it was reached, and the connectors refuse it where they read the answer, in one place
 * (providers/answer-checks.ts, with what it lists: "the answer lists one of its accounts twice").
 */

/** Default of `server.limits.maxPagesPerWalk`. */
export const DEFAULT_MAX_PAGES_PER_WALK = 100;
/** Empty pages that claim more, in a row, that end a walk: an honest vendor sends none. */
export const MAX_EMPTY_PAGES_IN_A_ROW = 3;

export type WalkStopReason = 'cursor-repeated' | 'page-repeated' | 'empty-pages' | 'page-limit';

/** How the vendor misbehaved, or which bound the walk met; never a vendor value. */
function describe(reason: WalkStopReason, maxPages: number): string {
  switch (reason) {
    case 'cursor-repeated':
      return 'paged without advancing (a next cursor led back to a page already read)';
    case 'page-repeated':
      return 'paged in a loop (a page held only items already read: a repeated page or an ignored offset)';
    case 'empty-pages':
      return `sent ${MAX_EMPTY_PAGES_IN_A_ROW} empty pages in a row that claimed more items`;
    case 'page-limit':
      return `needs more than ${maxPages} pages read in one walk (server.limits.maxPagesPerWalk)`;
  }
}

/** A walk that had to stop; `message` completes a sentence whose subject is the source. */
export class WalkStop extends Error {
  override name = 'WalkStop';
  readonly reason: WalkStopReason;
  readonly maxPages: number;

  constructor(reason: WalkStopReason, maxPages: number) {
    super(describe(reason, maxPages));
    this.reason = reason;
    this.maxPages = maxPages;
  }
}

/** The bounds a connector gives the walks over its vendor's pages. */
export interface WalkBounds {
  /** Most pages one walk reads. */
  readonly maxPages: number;
  /** What a stop is thrown as: the connector names its source and picks the code. Default: the WalkStop. */
  readonly failure?: (stop: WalkStop) => Error;
}

export interface Walk<T> {
  /**
   * Call before reading each page, with the vendor cursor that reads it (none for the first page
   * or an offset read). Throws instead when reading it would break a bound.
   */
  next(cursor?: string | null): void;
  /**
   * Call with each page read: its items, whether the vendor claims more follow, and, when the
   * connector dropped or expanded records (a filter applied page by page), the key of each record
   * the vendor sent: the page is judged by those, so a repeated page filtered down to nothing is
   * still a repeat, and is not taken for an empty one.
   */
  read(items: readonly T[], more: boolean, recordKeys?: readonly string[]): void;
}

/** Starts one walk. Without `identify` (and without record keys), repeated items are not looked for. */
export function startWalk<T>(
  bounds: WalkBounds = { maxPages: DEFAULT_MAX_PAGES_PER_WALK },
  identify?: (item: T) => string,
): Walk<T> {
  // Read once: a walk keeps the limit it started with (providers/walks.ts reads it from the operation).
  const maxPages = bounds.maxPages;
  const cursors = new Set<string>();
  let previous: ReadonlySet<string> = new Set<string>();
  let pages = 0;
  let empty = 0;
  const stop = (reason: WalkStopReason): never => {
    const error = new WalkStop(reason, maxPages);
    throw bounds.failure ? bounds.failure(error) : error;
  };
  return {
    next(cursor) {
      if (cursor !== undefined && cursor !== null) {
        if (cursors.has(cursor)) stop('cursor-repeated');
        cursors.add(cursor);
      }
      if (pages >= maxPages) stop('page-limit');
      pages += 1;
    },
    read(items, more, recordKeys) {
      const records = recordKeys?.length ?? items.length;
      if (records === 0) {
        empty = more ? empty + 1 : 0;
        if (empty >= MAX_EMPTY_PAGES_IN_A_ROW) stop('empty-pages');
        return;
      }
      empty = 0;
      const page = recordKeys ? identitiesOf(recordKeys, same) : identify ? identitiesOf(items, identify) : undefined;
      if (page === undefined) return;
      let fresh = false;
      for (const key of page.keys)
        if (!previous.has(key)) {
          fresh = true;
          break;
        }
      if (!fresh) stop('page-repeated');
      previous = page.set;
    },
  };
}

const same = (key: string) => key;
