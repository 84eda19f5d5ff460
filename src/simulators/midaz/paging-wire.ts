import { renamedUuid, type PagingWire } from '../paging-faults.ts';

/**
 * Midaz's lists for the paging faults: ledgers and accounts page by `page` (from 1) and `limit`
 * (`{"items": [...], "page", "limit"}`); a ledger's balances and an account's balances by keyset
 * cursor (`{"items": [...], "next_cursor", "prev_cursor"}`).
 */
const OFFSET_LIST = /^\/v1\/organizations\/[^/]+\/ledgers(?:\/[^/]+\/accounts)?\/?$/;
const CURSOR_LIST = /^\/v1\/organizations\/[^/]+\/ledgers\/[^/]+(?:\/accounts\/[^/]+)?\/balances\/?$/;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const limitOf = (query: URLSearchParams) => Number(query.get('limit') ?? '10');

export const midazPagingWire: PagingWire = {
  style(request) {
    if (request.method !== 'GET') return null;
    return OFFSET_LIST.test(request.path) ? 'offset' : CURSOR_LIST.test(request.path) ? 'cursor' : null;
  },
  cursorOf: (request) => request.query.get('cursor') || null,
  rangeOf(request) {
    const limit = limitOf(request.query);
    return { offset: (Number(request.query.get('page') ?? '1') - 1) * limit, limit };
  },
  atOffset(request, offset) {
    const query = new URLSearchParams(request.query);
    query.set('page', String(Math.floor(offset / limitOf(request.query)) + 1));
    return { ...request, query };
  },
  // An empty page's `items` is null (a nil Go slice).
  itemsOf: (body) => (isObject(body) && (Array.isArray(body.items) || body.items === null) ? (body.items ?? []) : null),
  withItems(body, items, next) {
    const page: Json = { ...(body as Json), items };
    if (typeof next === 'string') page.next_cursor = next;
    else if (next === null) delete page.next_cursor;
    return page;
  },
  /** New ids: the UUID's first eight hex digits say `n`; an alias gains `-x<n>`. */
  renamed(item, n) {
    if (!isObject(item)) return item;
    const copy: Json = { ...item, id: renamedUuid(item.id, n) };
    if (typeof item.alias === 'string') copy.alias = `${item.alias}-x${n}`;
    return copy;
  },
};
