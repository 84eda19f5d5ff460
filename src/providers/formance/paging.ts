import type { CursorPage } from '../../relay/sequence.ts';
import type { BalanceFilter, BalanceModel } from '../types.ts';
import { isObject, readArray, readBoolean, readObject, readOptionalString, VendorShapeError } from '../json.ts';

/**
 * Formance cursor pages: `{"cursor": {pageSize, hasMore, previous?, next?, data}}`. The cursors are
 * opaque base64url JSON of the whole query (filters, page size, offset); once one is sent, the
 * server ignores the other parameters, so a follow-up request carries the cursor alone.
 */

/** The page size of every first page the connector reads: v1 takes up to 1000, v2 cuts anything above 100. */
export const FORMANCE_PAGE_SIZE = 100;

export interface FormanceCursorPage {
  readonly data: unknown[];
  readonly next: string | null;
  readonly previous: string | null;
}

export function readFormanceCursor(body: unknown): FormanceCursorPage {
  const cursor = readObject(readObject(body, 'response').cursor, 'cursor');
  const hasMore = readBoolean(cursor.hasMore, 'cursor.hasMore');
  // `previous` and `next` are left out when empty (Go omitempty).
  const next = readOptionalString(cursor.next, 'cursor.next') || null;
  const previous = readOptionalString(cursor.previous, 'cursor.previous') || null;
  if (hasMore && next === null) throw new VendorShapeError('cursor.hasMore is true without cursor.next');
  return { data: readArray(cursor.data, 'cursor.data'), next: hasMore ? next : null, previous };
}

/**
 * A relay page whose items may expand (one v1 balances item is several balances) or be filtered
 * out (an asset filter); `recordKeys` names the vendor's own records (`rowKey`), which the walk
 * guard compares. `wrap` marks the tokens.
 */
export function toCursorPage<T>(
  page: FormanceCursorPage,
  map: (item: unknown) => readonly T[],
  wrap: (token: string) => string = (token) => token,
): CursorPage<T> {
  return {
    items: page.data.flatMap((item) => map(item)),
    recordKeys: page.data.map(rowKey),
    next: page.next === null ? null : wrap(page.next),
    previous: page.previous === null ? null : wrap(page.previous),
  };
}

/**
 * What names a Formance record in a page, for the walk to see a page that repeats or a record listed
 * twice: a v2 accounts row or v1 account by its address, a v2 volumes row by account and asset, a
 * v1 balances item (`{<address>: {<asset>: amount}}`) by its one key. A record without any is left to
 * the mapping to refuse.
 */
export function rowKey(row: unknown): string {
  if (!isObject(row)) return '';
  const address = row.address ?? row.account;
  return address === undefined ? JSON.stringify(Object.keys(row)) : JSON.stringify([address, row.asset ?? null]);
}

/**
 * A page of balances kept to the filter's asset (`USD`), client-side: the vendor has no asset
 * filter. Per request, after the page's mapping, which is once per vendor answer and shared.
 */
export function keepAsset(filter: BalanceFilter, page: CursorPage<BalanceModel>): CursorPage<BalanceModel> {
  return filter.asset ? { ...page, items: page.items.filter((balance) => balance.asset === filter.asset) } : page;
}
