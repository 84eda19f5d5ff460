import { BadUserInputError } from '../../errors.ts';
import { planPageReads } from '../../relay/page-plan.ts';
import type { CursorPage, VendorList } from '../../relay/sequence.ts';
import type { WalkBounds } from '../../relay/walk-guard.ts';
import type { QueryValue } from '../http/index.ts';
import { isObject, readArray, readObject, readOptionalString, readString } from '../json.ts';
import type { MidazApi } from './api.ts';
import { readMidazItems } from './map.ts';

/**
 * Midaz's two ways of paging. Ledgers and accounts: `page` (from 1) and `limit`, which the relay's
 * offset ranges are translated into. Balances: lib-commons keyset cursors, `next_cursor` and
 * `prev_cursor`, that carry only `{id, direction}`: `limit` and `sort_order` are sent again with
 * every page, or the server falls back to 10 items.
 */

/** `MAX_PAGINATION_LIMIT`: a larger `limit` is 400 code 0080 (pkg/net/http/httputils.go `validatePagination`). */
export const MIDAZ_MAX_LIMIT = 100;

/** How a list's walks are bounded, and what names its items (providers/walks.ts). */
export interface MidazWalk<T> {
  readonly walk: WalkBounds;
  readonly identify: (item: T) => string;
}

/** A `page`/`limit` list (ordered by the server) as the relay's offset list. */
export function offsetPages<T>(
  api: MidazApi,
  path: string,
  query: Record<string, QueryValue>,
  map: (item: unknown) => T,
  what: string,
  walk: MidazWalk<T>,
): VendorList<T> {
  return {
    paging: 'offset',
    maxLimit: MIDAZ_MAX_LIMIT,
    ...walk,
    async fetchRange(offset, limit) {
      if (limit <= 0) return [];
      const plan = planPageReads(offset, limit, MIDAZ_MAX_LIMIT);
      const items: T[] = [];
      for (let page = plan.first; page <= plan.last; page += 1) {
        const { body } = await api.get(path, { ...query, limit: plan.size, page });
        const rows = api.decode(() => readMidazItems(body, what).map(map));
        items.push(...rows);
        if (rows.length < plan.size) break; // a short page is the last one
      }
      const skip = offset - (plan.first - 1) * plan.size;
      return items.slice(skip, skip + limit);
    },
  };
}

interface RawCursorPage {
  readonly items: unknown[];
  readonly next: string | null;
  readonly prev: string | null;
}

function readCursorPage(body: unknown, what: string): RawCursorPage {
  const page = readObject(body, what);
  // Both cursors are left out when there is no such page (`omitempty`).
  return {
    items: page.items === null ? [] : readArray(page.items, `${what} items`),
    next: readOptionalString(page.next_cursor, 'next_cursor') || null,
    prev: readOptionalString(page.prev_cursor, 'prev_cursor') || null,
  };
}

/**
 * A cursor-paged balance list as the relay's cursor list. Our page tokens say how a page is read:
 * `n.<cursor>` and `p.<cursor>` are the server's next and previous cursors, and `h.<count>` is
 * "the page after the first <count> items".
 *
 * The backward-paging trap (lib-commons commons/net/http/cursor.go `PaginateRecords`,
 * `CalculateCursor`): full pages come back right in both directions, but the page where a walk
 * through `prev_cursor` reaches the start of the list holds its rows in reverse order, has no
 * `next_cursor`, and has a `prev_cursor` that leads back into the same rows. Such a page (read
 * through a previous cursor, without a next one) is therefore the head of the list: its rows are
 * put in keyset order (by id, as the server sorts), it has no previous page, and its next page is
 * `h.<count>`, read through the server's own next cursor of a first page of that size.
 */
export function cursorPages<T>(
  api: MidazApi,
  path: string,
  map: (items: readonly unknown[]) => T[],
  what: string,
  walk: MidazWalk<T>,
): VendorList<T> {
  const read = async (cursor: string | undefined, limit = MIDAZ_MAX_LIMIT): Promise<RawCursorPage> => {
    const { body } = await api.get(path, { limit, sort_order: 'asc', cursor });
    return api.decode(() => readCursorPage(body, what));
  };
  // `recordKeys`: the rows the server sent, before overdraft companions and other assets are dropped.
  const toPage = (page: RawCursorPage): CursorPage<T> => ({
    items: api.decode(() => map(page.items)),
    recordKeys: page.items.map(midazRowKey),
    next: page.next === null ? null : `n.${page.next}`,
    previous: page.prev === null ? null : `p.${page.prev}`,
  });
  const byId = (items: readonly unknown[]) =>
    api
      .decode(() =>
        items.map((item) => ({ item, id: readString(readObject(item, what).id, 'balance id').toLowerCase() })),
      )
      .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      .map((entry) => entry.item);

  const fetchPage = async (token: string | null): Promise<CursorPage<T>> => {
    if (token === null) return toPage(await read(undefined));
    const kind = token.slice(0, 2);
    const value = token.slice(2);
    if (kind === 'n.' && value !== '') return toPage(await read(value));
    if (kind === 'p.' && value !== '') {
      const page = await read(value);
      if (page.next !== null) return toPage(page);
      const rows = byId(page.items);
      return {
        items: api.decode(() => map(rows)),
        recordKeys: rows.map(midazRowKey),
        next: `h.${rows.length}`,
        previous: null,
      };
    }
    if (kind === 'h.' && /^(?:0|[1-9]\d{0,2})$/.test(value) && Number(value) <= MIDAZ_MAX_LIMIT) {
      if (value === '0') return fetchPage(null); // `limit=0` is 400 code 0082; after no items comes the first page
      const head = await read(undefined, Number(value));
      return head.next === null ? { items: [], next: null, previous: null } : toPage(await read(head.next));
    }
    throw new BadUserInputError('cursor does not point into this list', { source: api.source });
  };
  return { paging: 'cursor', fetchPage, ...walk };
}

/**
 * What names a Midaz row (a balance, account or ledger) for the walk guard and the duplicate checks:
 * its id, a UUID, without case (the server compares ids so). A row without one is left to the mapping to refuse.
 */
export function midazRowKey(row: unknown): string {
  return isObject(row) && typeof row.id === 'string' ? row.id.toLowerCase() : '';
}
