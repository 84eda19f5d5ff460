import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { connectionFromSequence, type Connection, type ConnectionArguments } from '../../src/relay/connection.ts';
import { plainPageInfo } from '../helpers/page-info.ts';
import { createCursorCodec } from '../../src/relay/cursor.ts';
import { RelayInputError } from '../../src/relay/errors.ts';
import {
  concatSequences,
  sequenceOf,
  type CursorPage,
  type Sequence,
  type VendorList,
} from '../../src/relay/sequence.ts';

const codec = createCursorCodec('sequence-test-secret');
const KEY = 'test.list';
/** The fakes below are honest vendors with pages as small as one item: a page bound far above any walk they need. */
const WALK = { maxPages: 10_000 };

interface Fake<T> {
  list: VendorList<T>;
  /** Vendor calls made so far, in order: `page:<token>` or `range:<offset>+<limit>`. */
  calls: string[];
}

/** A list of `length` distinct items named after their index, with a prefix to tell lists apart. */
function items(length: number, prefix = ''): string[] {
  return Array.from({ length }, (_, index) => `${prefix}${index}`);
}

/**
 * A vendor that pages through opaque cursors. `sizes` gives the page sizes in order, the last one
 * repeating (vendors that shrink or grow pages exist). Tokens are opaque strings; the previous cursor
 * of page 1 is a token for page 0 that differs from `null`, as it does at real vendors.
 */
function cursorVendor<T>(all: readonly T[], sizes: readonly number[]): Fake<T> {
  const starts = [0];
  for (let page = 0; (starts.at(-1) as number) < all.length; page += 1) {
    starts.push((starts.at(-1) as number) + Math.max(1, sizes[Math.min(page, sizes.length - 1)] as number));
  }
  if (starts.length > 1) starts.pop(); // the last start is the end of the list
  const pageCount = starts.length;
  const calls: string[] = [];
  const token = (page: number) => `opaque~${Buffer.from(`p${page}`).toString('base64url')}`;
  return {
    calls,
    list: {
      paging: 'cursor',
      walk: WALK,
      async fetchPage(cursor): Promise<CursorPage<T>> {
        calls.push(`page:${cursor}`);
        const page =
          cursor === null ? 0 : Number(Buffer.from(cursor.slice('opaque~'.length), 'base64url').toString().slice(1));
        if (!Number.isInteger(page) || page < 0 || page >= pageCount || (cursor !== null && cursor !== token(page)))
          throw new Error(`vendor: bad cursor ${cursor}`);
        const start = starts[page] as number;
        const end = page + 1 < pageCount ? (starts[page + 1] as number) : all.length;
        return {
          items: all.slice(start, end),
          next: page + 1 < pageCount ? token(page + 1) : null,
          previous: page > 0 ? token(page - 1) : null,
        };
      },
      totalCount: async () => all.length,
    },
  };
}

/** A cursor vendor with the given pages, empty ones included (a vendor that filters after paging sends those). */
function pagesVendor<T>(pages: readonly (readonly T[])[]): Fake<T> {
  const calls: string[] = [];
  const pageList = pages.length === 0 ? [[]] : pages;
  return {
    calls,
    list: {
      paging: 'cursor',
      walk: WALK,
      async fetchPage(cursor) {
        calls.push(`page:${cursor}`);
        const index = cursor === null ? 0 : Number(cursor.slice('n'.length));
        const items = pageList[index];
        if (items === undefined) throw new Error(`vendor: bad cursor ${cursor}`);
        return {
          items,
          // The connector filtered the vendor's records: a page it emptied still held one.
          recordKeys: items.length > 0 ? items.map(String) : [`filtered-${index}`],
          next: index + 1 < pageList.length ? `n${index + 1}` : null,
          previous: index > 0 ? `n${index - 1}` : null,
        };
      },
    },
  };
}

/** A vendor that pages by limit/offset and refuses limits above `maxLimit` (or below 1, which some vendors read as "default"). */
function offsetVendor<T>(all: readonly T[], maxLimit: number): Fake<T> {
  const calls: string[] = [];
  return {
    calls,
    list: {
      paging: 'offset',
      maxLimit,
      walk: WALK,
      async fetchRange(offset, limit) {
        calls.push(`range:${offset}+${limit}`);
        if (
          !Number.isSafeInteger(offset) ||
          offset < 0 ||
          !Number.isSafeInteger(limit) ||
          limit < 1 ||
          limit > maxLimit
        ) {
          throw new Error(`vendor: bad range ${offset}+${limit}`);
        }
        return all.slice(offset, offset + limit);
      },
    },
  };
}

/** A vendor that is down. */
function failingSequence(error: Error): { sequence: Sequence<string>; calls: string[] } {
  const calls: string[] = [];
  const list: VendorList<string> = {
    paging: 'offset',
    maxLimit: 10,
    fetchRange: async (offset, limit) => {
      calls.push(`range:${offset}+${limit}`);
      throw error;
    },
    totalCount: async () => {
      throw error;
    },
  };
  return { sequence: sequenceOf(list), calls };
}

function page<T>(sequence: Sequence<T>, args: ConnectionArguments): Promise<Connection<T>> {
  return connectionFromSequence(sequence, args, { codec, key: KEY });
}

/**
 * Walks a sequence with Relay pages of the given sizes (cycling), checking pageInfo on every page,
 * and returns the items in list order plus the cursor of every item.
 */
async function walk<T>(
  sequence: Sequence<T>,
  direction: 'forward' | 'backward',
  sizes: readonly number[],
  exact = true,
): Promise<{ nodes: T[]; cursors: string[] }> {
  const nodes: T[] = [];
  const cursors: string[] = [];
  let cursor: string | null = null;
  for (let step = 0; step < 10_000; step += 1) {
    const size = sizes[step % sizes.length] as number;
    const connection: Connection<T> = await page(
      sequence,
      direction === 'forward' ? { first: size, after: cursor } : { last: size, before: cursor },
    );
    const { edges, pageInfo } = connection;
    expect(pageInfo.startCursor).toBe(edges[0]?.cursor ?? null);
    expect(pageInfo.endCursor).toBe(edges.at(-1)?.cursor ?? null);
    const more = direction === 'forward' ? pageInfo.hasNextPage : pageInfo.hasPreviousPage;
    const back = direction === 'forward' ? pageInfo.hasPreviousPage : pageInfo.hasNextPage;
    // The flag against the direction of travel is true exactly when a cursor was given.
    expect(back).toBe(cursor !== null);
    // Exact `more`: a page is short only at the end, and a page that says more follow is never the
    // last one (the next page is checked to be non-empty below).
    expect(edges.length).toBe(more ? size : edges.length);
    expect(edges.length).toBeLessThanOrEqual(size);
    if (step > 0 && exact) expect(edges.length).toBeGreaterThan(0);
    if (direction === 'forward') {
      nodes.push(...edges.map((edge) => edge.node));
      cursors.push(...edges.map((edge) => edge.cursor));
    } else {
      nodes.unshift(...edges.map((edge) => edge.node));
      cursors.unshift(...edges.map((edge) => edge.cursor));
    }
    if (!more) return { nodes, cursors };
    cursor = direction === 'forward' ? pageInfo.endCursor : pageInfo.startCursor;
  }
  throw new Error('walk did not end');
}

const pageSizes = fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 6 });
/** Either kind of vendor list over `all`, described for failure reports. */
const vendorOf = fc.oneof(
  fc.record({
    kind: fc.constant('cursor' as const),
    sizes: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 4 }),
  }),
  fc.record({ kind: fc.constant('offset' as const), maxLimit: fc.integer({ min: 1, max: 30 }) }),
);
type VendorShape =
  | { readonly kind: 'cursor'; readonly sizes: readonly number[] }
  | { readonly kind: 'offset'; readonly maxLimit: number };
function makeVendor<T>(all: readonly T[], shape: VendorShape): Fake<T> {
  return shape.kind === 'cursor' ? cursorVendor(all, shape.sizes) : offsetVendor(all, shape.maxLimit);
}

describe('sequenceOf: walking a whole list', () => {
  it('yields exactly the list forwards and backwards, for both kinds of vendor paging', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 300 }),
        vendorOf,
        pageSizes,
        pageSizes,
        async (length, shape, forwardSizes, backwardSizes) => {
          const all = items(length);
          const sequence = sequenceOf(makeVendor(all, shape).list);
          expect((await walk(sequence, 'forward', forwardSizes)).nodes).toEqual(all);
          expect((await walk(sequence, 'backward', backwardSizes)).nodes).toEqual(all);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('continues exactly from any cursor, in either direction, whichever walk issued it', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 120 }),
        vendorOf,
        pageSizes,
        fc.boolean(),
        fc.nat(),
        fc.integer({ min: 0, max: 100 }),
        async (length, shape, sizes, fromBackwardWalk, pick, count) => {
          const all = items(length);
          const sequence = sequenceOf(makeVendor(all, shape).list);
          const { cursors } = await walk(sequence, fromBackwardWalk ? 'backward' : 'forward', sizes);
          const at = pick % length;
          const cursor = cursors[at] as string;

          const after = await page(sequence, { first: count, after: cursor });
          expect(after.edges.map((edge) => edge.node)).toEqual(all.slice(at + 1, at + 1 + count));
          expect(after.pageInfo).toMatchObject({ hasNextPage: at + count < length - 1, hasPreviousPage: true });

          const before = await page(sequence, { last: count, before: cursor });
          expect(before.edges.map((edge) => edge.node)).toEqual(all.slice(Math.max(0, at - count), at));
          expect(before.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: at - count > 0 });
        },
      ),
      { numRuns: 150 },
    );
  });

  // With empty vendor pages the flags can only be as exact as the vendor's next/previous cursors:
  // a Relay page that ends where a vendor page ends reports more items when the vendor has a next
  // page, even if every following vendor page is empty. Items still come exactly once.
  it('yields exactly the list when the vendor sends empty pages', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 12 })), { maxLength: 25 }),
        pageSizes,
        pageSizes,
        async (pageLengths, forwardSizes, backwardSizes) => {
          let next = 0;
          const pages = pageLengths.map((length) => Array.from({ length }, () => String(next++)));
          const all = items(next);
          const sequence = sequenceOf(pagesVendor(pages).list);
          expect((await walk(sequence, 'forward', forwardSizes, false)).nodes).toEqual(all);
          expect((await walk(sequence, 'backward', backwardSizes, false)).nodes).toEqual(all);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('answers first: 0 and last: 0 with no edges and an exact flag', async () => {
    for (const shape of [
      { kind: 'cursor', sizes: [15] },
      { kind: 'offset', maxLimit: 10 },
    ] as const) {
      for (const length of [0, 1, 15, 16]) {
        const all = items(length);
        const fake = makeVendor(all, shape);
        const sequence = sequenceOf(fake.list);
        const first = await page(sequence, { first: 0 });
        expect(first.edges).toEqual([]);
        expect(plainPageInfo(first.pageInfo)).toEqual({
          hasNextPage: length > 0,
          hasPreviousPage: false,
          startCursor: null,
          endCursor: null,
        });
        const last = await page(sequence, { last: 0 });
        expect(last.edges).toEqual([]);
        expect(plainPageInfo(last.pageInfo)).toEqual({
          hasNextPage: false,
          hasPreviousPage: length > 0,
          startCursor: null,
          endCursor: null,
        });
        if (length === 0) continue;
        const { cursors } = await walk(sequence, 'forward', [7]);
        const afterLast = await page(sequence, { first: 0, after: cursors.at(-1) as string });
        expect(afterLast.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
        const beforeFirst = await page(sequence, { last: 0, before: cursors[0] as string });
        expect(beforeFirst.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false });
      }
    }
  });

  it('reads an empty list as one empty page', async () => {
    for (const fake of [cursorVendor([], [15]), offsetVendor([], 10)]) {
      const sequence = sequenceOf(fake.list);
      expect(await page(sequence, {})).toMatchObject({
        edges: [],
        pageInfo: { hasNextPage: false, hasPreviousPage: false, startCursor: null, endCursor: null },
      });
      expect(await page(sequence, { last: 5 })).toMatchObject({
        edges: [],
        pageInfo: { hasNextPage: false, hasPreviousPage: false },
      });
      expect(fake.calls).toHaveLength(2);
    }
  });

  it('reads `last` without `before` from the end of the list', async () => {
    const all = items(100);
    for (const fake of [cursorVendor(all, [15]), offsetVendor(all, 30)]) {
      const last = await page(sequenceOf(fake.list), { last: 12 });
      expect(last.edges.map((edge) => edge.node)).toEqual(all.slice(88));
      expect(last.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true });
    }
  });
});

describe('sequenceOf: vendor calls', () => {
  const all = items(100);

  it('cursor paging: first 7 of a vendor page of 15 is one call, and so are the next 7', async () => {
    const fake = cursorVendor(all, [15]);
    const sequence = sequenceOf(fake.list);
    const one = await page(sequence, { first: 7 });
    expect(one.edges.map((edge) => edge.node)).toEqual(all.slice(0, 7));
    expect(fake.calls).toEqual(['page:null']);
    const two = await page(sequence, { first: 7, after: one.pageInfo.endCursor });
    expect(two.edges.map((edge) => edge.node)).toEqual(all.slice(7, 14));
    expect(fake.calls).toHaveLength(2);
    // The third straddles two vendor pages: two calls, no more.
    const three = await page(sequence, { first: 7, after: two.pageInfo.endCursor });
    expect(three.edges.map((edge) => edge.node)).toEqual(all.slice(14, 21));
    expect(fake.calls).toHaveLength(4);
  });

  it('cursor paging: a Relay page that ends with a vendor page learns hasNextPage from the vendor cursor, not a call', async () => {
    const fake = cursorVendor(all, [15]);
    const connection = await page(sequenceOf(fake.list), { first: 15 });
    expect(connection.pageInfo.hasNextPage).toBe(true);
    expect(fake.calls).toEqual(['page:null']);
  });

  // Regression: review of #6 — every Relay page refetched the vendor page its cursor came from.
  it('cursor paging: walking forward with pages that end on vendor page boundaries costs one call per vendor page', async () => {
    const fake = cursorVendor(all, [15]);
    const sequence = sequenceOf(fake.list);
    let after: string | null = null;
    const seen: string[] = [];
    for (;;) {
      const connection: Connection<string> = await page(sequence, { first: 15, after });
      seen.push(...connection.edges.map((edge) => edge.node));
      if (!connection.pageInfo.hasNextPage) break;
      after = connection.pageInfo.endCursor;
    }
    expect(seen).toEqual(all);
    expect(fake.calls).toHaveLength(Math.ceil(all.length / 15));
    expect(new Set(fake.calls).size).toBe(fake.calls.length);
  });

  it('offset paging of a list of known length: last 3 is one call of 3 items, first N reads no extra item', async () => {
    const fake = offsetVendor(all, 100);
    const list = { ...fake.list, length: all.length } as VendorList<string>;
    const last = await page(sequenceOf(list), { last: 3 });
    expect(last.edges.map((edge) => edge.node)).toEqual(all.slice(-3));
    expect(last.pageInfo).toMatchObject({ hasPreviousPage: true, hasNextPage: false });
    expect(fake.calls).toEqual(['range:97+3']);
    const first = await page(sequenceOf(list), { first: 10 });
    expect(first.pageInfo.hasNextPage).toBe(true);
    expect(fake.calls.at(-1)).toBe('range:0+10');
    const end = await page(sequenceOf(list), { first: 10, after: last.pageInfo.startCursor });
    expect(end.edges.map((edge) => edge.node)).toEqual(all.slice(-2));
    expect(end.pageInfo.hasNextPage).toBe(false);
    expect(await sequenceOf(list).totalCount()).toBe(100);
  });

  it('cursor paging: first 40 over vendor pages of 15 is three calls', async () => {
    const fake = cursorVendor(all, [15]);
    const connection = await page(sequenceOf(fake.list), { first: 40 });
    expect(connection.edges).toHaveLength(40);
    expect(fake.calls).toHaveLength(3);
  });

  it('cursor paging: last 5 before an item in the middle of a vendor page is one call', async () => {
    const fake = cursorVendor(all, [15]);
    const sequence = sequenceOf(fake.list);
    const forward = await page(sequence, { first: 25 });
    fake.calls.length = 0;
    const before = await page(sequence, { last: 5, before: forward.pageInfo.endCursor });
    expect(before.edges.map((edge) => edge.node)).toEqual(all.slice(19, 24));
    expect(fake.calls).toHaveLength(1);
  });

  it('offset paging: first 20 is one call of 21 items', async () => {
    const fake = offsetVendor(all, 100);
    const sequence = sequenceOf(fake.list);
    const one = await page(sequence, { first: 20 });
    expect(fake.calls).toEqual(['range:0+21']);
    await page(sequence, { first: 20, after: one.pageInfo.endCursor });
    expect(fake.calls).toEqual(['range:0+21', 'range:20+21']);
  });

  it('offset paging: a page larger than the vendor limit is read in vendor-sized calls', async () => {
    const fake = offsetVendor(all, 10);
    const connection = await page(sequenceOf(fake.list), { first: 25 });
    expect(connection.edges).toHaveLength(25);
    expect(fake.calls).toEqual(['range:0+10', 'range:10+10', 'range:20+6']);
  });

  it('offset paging: last/before reads just the items asked for', async () => {
    const fake = offsetVendor(all, 100);
    const sequence = sequenceOf(fake.list);
    const forward = await page(sequence, { first: 10 });
    fake.calls.length = 0;
    const before = await page(sequence, { last: 5, before: forward.pageInfo.endCursor });
    expect(before.edges.map((edge) => edge.node)).toEqual(all.slice(4, 9));
    expect(before.pageInfo.hasPreviousPage).toBe(true);
    expect(fake.calls).toEqual(['range:4+5']);
    const start = await page(sequence, { last: 5, before: before.pageInfo.startCursor });
    expect(start.edges.map((edge) => edge.node)).toEqual(all.slice(0, 4));
    expect(start.pageInfo.hasPreviousPage).toBe(false);
    const none = await page(sequence, { last: 5, before: start.pageInfo.startCursor });
    expect(none.edges).toEqual([]);
    expect(fake.calls).toEqual(['range:4+5', 'range:0+4']); // nothing lies before item 0: no call
  });

  it('last: 0 and first: 0 cost at most one call', async () => {
    for (const fake of [cursorVendor(all, [15]), offsetVendor(all, 10)]) {
      const sequence = sequenceOf(fake.list);
      await page(sequence, { first: 0 });
      expect(fake.calls).toHaveLength(1);
      // Regression: `last: 0` without `before` walked the whole list to return nothing.
      await page(sequence, { last: 0 });
      expect(fake.calls).toHaveLength(2);
    }
  });

  it('never asks an offset vendor for more than its limit, or for zero items', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 80 }),
        fc.integer({ min: 1, max: 12 }),
        pageSizes,
        async (length, maxLimit, sizes) => {
          const fake = offsetVendor(items(length), maxLimit);
          const sequence = sequenceOf(fake.list);
          await walk(sequence, 'forward', sizes);
          await walk(sequence, 'backward', sizes);
          await page(sequence, { first: 0 });
          await page(sequence, { last: 0 });
          // offsetVendor throws on a bad range; reaching here means none was asked for.
        },
      ),
      { numRuns: 60 },
    );
  });

  it('totalCount is the vendor total, or null when the vendor cannot tell', async () => {
    expect(await sequenceOf(cursorVendor(all, [15]).list).totalCount()).toBe(100);
    expect(await sequenceOf(offsetVendor(all, 10).list).totalCount()).toBeNull();
  });
});

describe('sequenceOf: positions', () => {
  it.each([
    [
      'cursor',
      () => sequenceOf(cursorVendor(items(10), [5]).list),
      [{ o: 1 }, { t: 1, i: 0 }, { t: null, i: -1 }, { t: null, i: 1.5 }, { t: null }, 'x', 7],
    ],
    [
      'offset',
      () => sequenceOf(offsetVendor(items(10), 5).list),
      [{ t: null, i: 0 }, { o: -1 }, { o: 1.5 }, { o: '1' }, { o: 2 ** 60 }, 'x', 7],
    ],
  ] as const)('a %s sequence refuses a position of another shape', async (_kind, make, positions) => {
    const sequence = make();
    for (const position of positions) {
      await expect(sequence.after(position, 3)).rejects.toThrow(RelayInputError);
      await expect(sequence.before(position, 3)).rejects.toThrow(RelayInputError);
    }
  });
});

describe('concatSequences', () => {
  interface PartShape {
    key: string;
    length: number;
    shape: VendorShape;
  }
  const parts = fc.uniqueArray(
    fc.record({
      key: fc.constantFrom('formance', 'blnk', 'midaz', 'vault', 'vonage', 'b'),
      length: fc.oneof(fc.constant(0), fc.integer({ min: 0, max: 40 })),
      shape: vendorOf,
    }),
    { selector: (part) => part.key, maxLength: 5 },
  );
  const build = (shapes: readonly PartShape[]) => {
    const fakes = shapes.map((part) => ({
      key: part.key,
      fake: makeVendor(items(part.length, `${part.key}-`), part.shape),
    }));
    return { fakes, all: shapes.flatMap((part) => items(part.length, `${part.key}-`)) };
  };

  it('reads several lists as one, forwards and backwards, with exact flags across part boundaries', async () => {
    await fc.assert(
      fc.asyncProperty(parts, pageSizes, pageSizes, async (shapes, forwardSizes, backwardSizes) => {
        const { fakes, all } = build(shapes);
        const errors: unknown[] = [];
        const sequence = concatSequences(
          fakes.map(({ key, fake }) => ({ key, sequence: sequenceOf(fake.list) })),
          (_key, error) => errors.push(error),
        );
        const forward = await walk(sequence, 'forward', forwardSizes);
        expect(forward.nodes).toEqual(all);
        expect((await walk(sequence, 'backward', backwardSizes)).nodes).toEqual(all);
        // Any cursor continues exactly, in either direction.
        for (const [at, cursor] of forward.cursors.entries()) {
          const after = await page(sequence, { first: 2, after: cursor });
          expect(after.edges.map((edge) => edge.node)).toEqual(all.slice(at + 1, at + 3));
          expect(after.pageInfo.hasNextPage).toBe(at + 2 < all.length - 1);
          const before = await page(sequence, { last: 2, before: cursor });
          expect(before.edges.map((edge) => edge.node)).toEqual(all.slice(Math.max(0, at - 2), at));
          expect(before.pageInfo.hasPreviousPage).toBe(at - 2 > 0);
        }
        expect(errors).toEqual([]);
      }),
      { numRuns: 100 },
    );
  });

  it('says whether more items follow across empty parts', async () => {
    const make = (lengths: number[]) =>
      concatSequences(
        lengths.map((length, index) => ({
          key: `p${index}`,
          sequence: sequenceOf(offsetVendor(items(length, `p${index}-`), 10).list),
        })),
        () => {},
      );
    expect((await page(make([3, 0, 2]), { first: 3 })).pageInfo.hasNextPage).toBe(true);
    expect((await page(make([3, 0, 0]), { first: 3 })).pageInfo.hasNextPage).toBe(false);
    expect((await page(make([2, 0, 3]), { last: 3 })).pageInfo.hasPreviousPage).toBe(true);
    expect((await page(make([0, 0, 3]), { last: 3 })).pageInfo.hasPreviousPage).toBe(false);
    expect((await page(make([0, 0, 0]), { first: 3 })).pageInfo).toMatchObject({
      hasNextPage: false,
      hasPreviousPage: false,
    });
    expect((await page(make([]), { last: 3 })).edges).toEqual([]);
  });

  it('reports a failing part through onError, skips it and still pages through the others', async () => {
    const down = new Error('vendor down');
    const failing = failingSequence(down);
    const errors: [string, unknown][] = [];
    const sequence = concatSequences(
      [
        { key: 'a', sequence: sequenceOf(cursorVendor(items(5, 'a-'), [2]).list) },
        { key: 'down', sequence: failing.sequence },
        { key: 'c', sequence: sequenceOf(cursorVendor(items(4, 'c-'), [3]).list) },
      ],
      (key, error) => errors.push([key, error]),
    );
    const expected = [...items(5, 'a-'), ...items(4, 'c-')];
    expect((await walk(sequence, 'forward', [3])).nodes).toEqual(expected);
    expect((await walk(sequence, 'backward', [3])).nodes).toEqual(expected);
    expect(errors.length).toBeGreaterThan(0);
    expect(errors.every(([key, error]) => key === 'down' && error === down)).toBe(true);
    errors.length = 0;
    expect(await sequence.totalCount()).toBeNull();
    expect(errors).toEqual([['down', down]]);
  });

  it('sums the parts’ totals', async () => {
    const sequence = concatSequences(
      [
        { key: 'a', sequence: sequenceOf(cursorVendor(items(5), [2]).list) },
        { key: 'b', sequence: sequenceOf(cursorVendor(items(7), [2]).list) },
      ],
      () => {},
    );
    expect(await sequence.totalCount()).toBe(12);
  });

  it('forwards, asks every part at once, keeps list order whatever answers first, and reports only the failures of parts the page shows', async () => {
    const started: string[] = [];
    const releases = new Map<string, () => void>();
    /** An offset list whose read waits until the test releases it. */
    const deferred = (key: string, values: readonly string[], failure?: Error): VendorList<string> => ({
      paging: 'offset',
      maxLimit: 100,
      fetchRange: (offset, limit) => {
        started.push(key);
        return new Promise((resolve, reject) =>
          releases.set(key, () => (failure ? reject(failure) : resolve(values.slice(offset, offset + limit)))),
        );
      },
    });
    const errors: string[] = [];
    const down = new Error('down');
    const sequence = concatSequences(
      [
        { key: 'a', sequence: sequenceOf(deferred('a', ['a1'])) },
        { key: 'b', sequence: sequenceOf(deferred('b', [], down)) },
        { key: 'c', sequence: sequenceOf(deferred('c', ['c1', 'c2', 'c3'])) },
        { key: 'd', sequence: sequenceOf(deferred('d', ['d1'], down)) },
      ],
      (key) => errors.push(key),
    );
    const page = sequence.after(null, 3);
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual(['a', 'b', 'c', 'd']); // all at once, before any answered
    for (const key of ['d', 'c', 'b', 'a']) releases.get(key)!(); // answers in reverse order
    const slice = await page;
    expect(slice.edges.map((edge) => edge.node)).toEqual(['a1', 'c1', 'c2']);
    expect(slice.more).toBe(true);
    // b failed inside the page: reported; d failed too, but the page ends before d: not reported.
    expect(errors).toEqual(['b']);
  });

  it('answers a null total without asking anyone when a part can never count', async () => {
    let counted = 0;
    const countable = cursorVendor(items(12), [5]);
    const counting = {
      ...countable.list,
      totalCount: async () => {
        counted += 1;
        return 12;
      },
    };
    const sequence = concatSequences(
      [
        { key: 'a', sequence: sequenceOf(counting) },
        { key: 'b', sequence: sequenceOf(offsetVendor(items(4), 10).list) },
      ],
      () => {},
    );
    expect(sequence.countable).toBe(false);
    expect(await sequence.totalCount()).toBeNull();
    expect(counted).toBe(0);
  });

  it('refuses a position whose part is gone (a source removed from the config) and does not report it as a source failure', async () => {
    const errors: unknown[] = [];
    const sequence = concatSequences(
      [{ key: 'a', sequence: sequenceOf(offsetVendor(items(5), 10).list) }],
      (_key, error) => errors.push(error),
    );
    await expect(sequence.after({ k: 'gone', p: { o: 1 } }, 3)).rejects.toThrow(RelayInputError);
    await expect(sequence.before({ k: 'gone', p: { o: 1 } }, 3)).rejects.toThrow(RelayInputError);
    await expect(sequence.after({ k: 'a', p: { t: null, i: 0 } }, 3)).rejects.toThrow(RelayInputError);
    await expect(sequence.after('junk', 3)).rejects.toThrow(RelayInputError);
    expect(errors).toEqual([]);
  });

  it('probes the part before a boundary with one call, not a walk to its end', async () => {
    const big = offsetVendor(items(250, 'a-'), 10);
    const small = offsetVendor(items(5, 'b-'), 10);
    const sequence = concatSequences(
      [
        { key: 'a', sequence: sequenceOf(big.list) },
        { key: 'b', sequence: sequenceOf(small.list) },
      ],
      () => {},
    );
    const last = await page(sequence, { last: 5 });
    expect(last.edges.map((edge) => edge.node)).toEqual(items(5, 'b-'));
    expect(last.pageInfo.hasPreviousPage).toBe(true);
    expect(big.calls).toHaveLength(1);
  });
});
