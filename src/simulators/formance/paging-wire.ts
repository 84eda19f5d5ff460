import { isLosslessNumber } from 'lossless-json';
import type { PagingWire } from '../paging-faults.ts';

/**
 * Formance's lists for the paging faults: every `GET` of accounts, balances (v1) and volumes (v2)
 * is a cursor page `{"cursor": {hasMore, next, data}}`; a follow-up request carries `cursor` alone.
 */
const LIST = /^\/api\/ledger\/(?:v2\/)?[^/_][^/]*\/(?:accounts|balances|volumes)$/;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && !isLosslessNumber(value);

export const formancePagingWire: PagingWire = {
  style: (request) => (request.method === 'GET' && LIST.test(request.path) ? 'cursor' : null),
  cursorOf: (request) => request.query.get('cursor') || null,
  rangeOf: () => ({ offset: 0, limit: 0 }),
  atOffset: (request) => request,
  itemsOf(body) {
    const data = isObject(body) && isObject(body.cursor) ? body.cursor.data : null;
    return Array.isArray(data) ? data : null;
  },
  withItems(body, items, next) {
    const cursor = (body as { cursor: Json }).cursor;
    const more = typeof next === 'string';
    return { ...(body as Json), cursor: { ...cursor, data: items, hasMore: more, next: more ? next : undefined } };
  },
  /** A new address: `users:001` becomes `users:001-x<n>` (v1 accounts, v2 accounts and volumes rows, v1 balances items). */
  renamed(item, n) {
    if (!isObject(item)) return item;
    const address = (value: unknown) => (typeof value === 'string' ? `${value}-x${n}` : value);
    if ('address' in item) return { ...item, address: address(item.address) };
    if ('account' in item) return { ...item, account: address(item.account) };
    return Object.fromEntries(Object.entries(item).map(([key, value]) => [address(key), value]));
  },
};
