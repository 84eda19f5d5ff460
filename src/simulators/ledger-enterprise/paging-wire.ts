import { LONG_LIST_ITEMS, type PagingWire } from '../paging-faults.ts';
import { DEFAULT_PAGE_SIZE } from './routes.ts';

/**
 * Ledger Enterprise's account search for the paging faults: `GET /accounts` pages by `page` (from
 * 1) and `page_size`, answering `{"edges": [{cursor, node}], "page_info": {count, has_next_page}}`.
 * A misbehaving search claims the long list's count.
 */
type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const sizeOf = (query: URLSearchParams) => Number(query.get('page_size') ?? String(DEFAULT_PAGE_SIZE));

export const ledgerEnterprisePagingWire: PagingWire = {
  style: (request) => (request.method === 'GET' && request.path === '/accounts' ? 'offset' : null),
  cursorOf: () => null,
  rangeOf(request) {
    const size = sizeOf(request.query);
    return { offset: (Number(request.query.get('page') ?? '1') - 1) * size, limit: size };
  },
  atOffset(request, offset) {
    const query = new URLSearchParams(request.query);
    query.set('page', String(Math.floor(offset / sizeOf(request.query)) + 1));
    return { ...request, query };
  },
  itemsOf: (body) => (isObject(body) && Array.isArray(body.edges) ? body.edges : null),
  withItems: (_, items, more) => ({
    edges: items.map((edge, index) => ({ ...(edge as Json), cursor: index })),
    page_info: { count: LONG_LIST_ITEMS, has_next_page: more === true },
  }),
  /** A new account id, far above the seed's. */
  renamed(edge, n) {
    if (!isObject(edge) || !isObject(edge.node)) return edge;
    return { ...edge, node: { ...edge.node, id: 1_000_000_000 + n } };
  },
};
