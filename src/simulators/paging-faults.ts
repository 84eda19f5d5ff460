import { parse, stringify } from 'lossless-json';
import type { PagingFault } from './faults.ts';
import type { SimulatorReply, SimulatorRequest } from './types.ts';

/**
 * The paging faults (faults.ts `PAGING_FAULTS`) on the wire: each simulator whose API pages says
 * how its list requests and answers look (`PagingWire`), and this turns its own list answers into
 * a misbehaving walk. A request the fault does not apply to is answered as usual.
 */

/** Items in the `paging-long` list. */
export const LONG_LIST_ITEMS = 1_000_000;

/** How one vendor's list requests and pages look on the wire. */
export interface PagingWire {
  /** How the request's list pages; null when it reads no list. */
  style(request: SimulatorRequest): 'cursor' | 'offset' | null;
  /** Cursor lists: the request's cursor, null on a first page. */
  cursorOf(request: SimulatorRequest): string | null;
  /** Offset lists: where the request starts and how many items it asks for. */
  rangeOf(request: SimulatorRequest): { offset: number; limit: number };
  /** The same request at another offset (a multiple of its limit). */
  atOffset(request: SimulatorRequest, offset: number): SimulatorRequest;
  /** The items of a list answer; null when the answer holds none (an error). */
  itemsOf(body: unknown): unknown[] | null;
  /** The list answer with other items: `next` is the next cursor of a cursor list, or whether more follow. */
  withItems(body: unknown, items: unknown[], next: string | boolean | null): unknown;
  /** The item under new ids, `n` (≥ 1) telling copies apart. */
  renamed(item: unknown, n: number): unknown;
}

type Route = (request: SimulatorRequest) => Promise<SimulatorReply>;

/** The misbehaving answers of one simulator, with the first-page requests its fault cursors stand for. */
export function createPagingFaults(wire: PagingWire) {
  const firstPages = new Map<number, SimulatorRequest>();
  let nextId = 0;
  const remember = (request: SimulatorRequest): number => {
    firstPages.set(nextId, request);
    if (firstPages.size > 1000) firstPages.delete(nextId - 1000);
    return nextId++;
  };
  const reply = (real: SimulatorReply, body: unknown): SimulatorReply => ({
    ...real,
    headers: { ...real.headers, 'content-type': real.headers?.['content-type'] ?? 'application/json' },
    body: stringify(body) ?? 'null',
  });
  const read = async (route: Route, request: SimulatorRequest) => {
    const real = await route(request);
    const body = real.status === 200 ? parse(real.body) : null;
    return { real, body, items: real.status === 200 ? wire.itemsOf(body) : null };
  };

  /** A cursor list: our cursors `fault~<page>~<id>` stand for page `<page>` of a remembered first-page request. */
  async function cursorAnswer(fault: PagingFault, request: SimulatorRequest, route: Route): Promise<SimulatorReply> {
    if (fault === 'paging-ignore-offset') return route(request);
    const cursor = wire.cursorOf(request);
    const ours = cursor === null ? null : /^fault~(\d+)~(\d+)$/.exec(cursor);
    if (cursor !== null && (ours === null || !firstPages.has(Number(ours[2])))) return route(request);
    const id = ours ? Number(ours[2]) : remember(request);
    const page = ours ? Number(ours[1]) : 0;
    const { real, body, items } = await read(route, firstPages.get(id) as SimulatorRequest);
    if (items === null) return real;
    const cursorTo = (to: number) => `fault~${to}~${id}`;
    switch (fault) {
      case 'paging-stuck':
        return reply(real, wire.withItems(body, items, cursorTo(1)));
      case 'paging-repeat':
        return reply(real, wire.withItems(body, items, cursorTo(page + 1)));
      case 'paging-empty':
        return reply(real, wire.withItems(body, page === 0 ? items : [], cursorTo(page + 1)));
      case 'paging-long': {
        const copies = page === 0 ? items : items.map((item, index) => wire.renamed(item, page * items.length + index));
        const last = (page + 1) * items.length >= LONG_LIST_ITEMS;
        return reply(real, wire.withItems(body, copies, last ? null : cursorTo(page + 1)));
      }
    }
  }

  /** The `paging-long` list from `offset`: the real items, then copies of the first page's under new ids. */
  async function longRange(request: SimulatorRequest, offset: number, route: Route) {
    const { limit } = wire.rangeOf(request);
    const at = await read(route, wire.atOffset(request, offset));
    if (at.items === null || at.items.length >= limit) return at;
    const first = offset === 0 ? at : await read(route, wire.atOffset(request, 0));
    const pool = first.items ?? [];
    if (pool.length === 0) return at;
    const items = [...at.items];
    for (let index = offset + items.length; items.length < limit && index < LONG_LIST_ITEMS; index += 1)
      items.push(wire.renamed(pool[index % pool.length], index));
    return { ...at, items };
  }

  async function offsetAnswer(fault: PagingFault, request: SimulatorRequest, route: Route): Promise<SimulatorReply> {
    const { offset, limit } = wire.rangeOf(request);
    const from =
      fault === 'paging-long'
        ? offset
        : fault === 'paging-ignore-offset'
          ? 0
          : fault === 'paging-repeat'
            ? Math.max(0, offset - limit)
            : null;
    if (from === null) return route(request);
    const { real, body, items } = await longRange(request, from, route);
    if (items === null) return real;
    return reply(real, wire.withItems(body, items, from + items.length < LONG_LIST_ITEMS));
  }

  return {
    /** Answers one request under a paging fault. */
    answer(fault: PagingFault, request: SimulatorRequest, route: Route): Promise<SimulatorReply> {
      const style = wire.style(request);
      if (style === 'cursor') return cursorAnswer(fault, request, route);
      if (style === 'offset') return offsetAnswer(fault, request, route);
      return route(request);
    },
  };
}

export type PagingFaults = ReturnType<typeof createPagingFaults>;

/** A copy of the request's query with `name` set to `value` (removed when null). */
export function withQuery(request: SimulatorRequest, name: string, value: string | null): SimulatorRequest {
  const query = new URLSearchParams(request.query);
  if (value === null) query.delete(name);
  else query.set(name, value);
  return { ...request, query };
}

/** A UUID (possibly behind a prefix such as `bln_`) whose first eight hex digits say `n`. */
export function renamedUuid(id: unknown, n: number): unknown {
  if (typeof id !== 'string') return id;
  return id.replace(/[0-9a-f]{8}(?=-[0-9a-f]{4}-)/i, (n % 0x1_0000_0000).toString(16).padStart(8, '0'));
}
