import { renamedUuid, type PagingWire } from '../paging-faults.ts';

/**
 * Blnk's lists for the paging faults: `GET /ledgers` and `GET /balances` page by `limit` and
 * `offset` and answer a bare array, `null` when empty; nothing in an answer claims more.
 */
type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const blnkPagingWire: PagingWire = {
  style: (request) =>
    request.method === 'GET' && (request.path === '/balances' || request.path === '/ledgers') ? 'offset' : null,
  cursorOf: () => null,
  rangeOf: (request) => ({
    offset: Number(request.query.get('offset') ?? '0'),
    limit: Number(request.query.get('limit') ?? '10'),
  }),
  atOffset(request, offset) {
    const query = new URLSearchParams(request.query);
    query.set('offset', String(offset));
    return { ...request, query };
  },
  itemsOf: (body) => (body === null ? [] : Array.isArray(body) ? body : null),
  withItems: (_, items) => (items.length === 0 ? null : items),
  /** A new id (a balance keeps its ledger, which the list filtered on). */
  renamed(item, n) {
    if (!isObject(item)) return item;
    if ('balance_id' in item) return { ...item, balance_id: renamedUuid(item.balance_id, n) };
    return { ...item, ledger_id: renamedUuid(item.ledger_id, n) };
  },
};
