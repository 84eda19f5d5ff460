import { BadUserInputError } from '../../errors.ts';
import { planPageReads } from '../../relay/page-plan.ts';
import type { CursorPage, VendorList } from '../../relay/sequence.ts';
import type { WalkBounds } from '../../relay/walk-guard.ts';
import type { QueryValue } from '../http/index.ts';
import { isObject, readArray, readObject, readOptionalString, readString } from '../json.ts';
import type { MidazApi, MidazReply } from './api.ts';
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

/**
 * A `page`/`limit` list (ordered by the server) as the relay's offset list. Each page is mapped once
 * per vendor answer, shared by every request that joined the call or that the read cache answered
 * with it; `as` names the mapping with what it depends on beyond the request (the ledger id as spelled).
 */
export function offsetPages<T>(
  api: MidazApi,
  path: string,
  query: Record<string, QueryValue>,
  map: (item: unknown) => T,
  what: string,
  walk: MidazWalk<T>,
  as: string = what,
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
        const reply = await api.get(path, { ...query, limit: plan.size, page });
        const rows = reply.read(as, (body) => readMidazItems(body, what).map(map));
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
 * A cursor-paged balance list as the relay's cursor list. A page is read and mapped by `map` once
 * per vendor answer (`as` names that mapping with what it depends on beyond the request), then kept
 * to `keep` per request (an asset filter: Midaz has none). Our page tokens say how a page is read:
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
  as: string,
  keep?: (item: T) => boolean,
): VendorList<T> {
  interface Read {
    readonly reply: MidazReply;
    readonly page: RawCursorPage;
  }
  const read = async (cursor: string | undefined, limit = MIDAZ_MAX_LIMIT): Promise<Read> => {
    const reply = await api.get(path, { limit, sort_order: 'asc', cursor });
    return { reply, page: reply.read(`${as}:rows`, (body) => readCursorPage(body, what)) };
  };
  const kept = (page: CursorPage<T>): CursorPage<T> =>
    keep === undefined ? page : { ...page, items: page.items.filter(keep) };
  // `recordKeys`: the rows the server sent, before overdraft companions and other assets are dropped.
  const toPage = ({ reply, page }: Read): CursorPage<T> =>
    kept(
      reply.read(as, () => ({
        items: map(page.items),
        recordKeys: page.items.map(midazRowKey),
        next: page.next === null ? null : `n.${page.next}`,
        previous: page.prev === null ? null : `p.${page.prev}`,
      })),
    );
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
      const head = await read(value);
      if (head.page.next !== null) return toPage(head);
      return kept(
        head.reply.read(`${as}:head`, () => {
          const rows = byId(head.page.items);
          return { items: map(rows), recordKeys: rows.map(midazRowKey), next: `h.${rows.length}`, previous: null };
        }),
      );
    }
    if (kind === 'h.' && /^(?:0|[1-9]\d{0,2})$/.test(value) && Number(value) <= MIDAZ_MAX_LIMIT) {
      if (value === '0') return fetchPage(null); // `limit=0` is 400 code 0082; after no items comes the first page
      const head = await read(undefined, Number(value));
      return head.page.next === null ? { items: [], next: null, previous: null } : toPage(await read(head.page.next));
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
