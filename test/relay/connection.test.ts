import { describe, expect, it } from 'vitest';
import {
  connectionFromSequence,
  DEFAULT_PAGE_SIZE,
  MAX_PAGE_SIZE,
  type ConnectionArguments,
} from '../../src/relay/connection.ts';
import { plainPageInfo } from '../helpers/page-info.ts';
import { createCursorCodec } from '../../src/relay/cursor.ts';
import { RelayInputError } from '../../src/relay/errors.ts';
import { sequenceOf, type Sequence } from '../../src/relay/sequence.ts';

const codec = createCursorCodec('connection-test-secret');
const KEY = 'Ledger:formance:main/accounts';
const all = Array.from({ length: 250 }, (_, index) => index);

/** An offset vendor over `all` that counts its calls. */
function fixture(): { sequence: Sequence<number>; calls: () => number } {
  let calls = 0;
  const sequence = sequenceOf<number>({
    paging: 'offset',
    maxLimit: 1000,
    fetchRange: async (offset, limit) => {
      calls += 1;
      return all.slice(offset, offset + limit);
    },
    totalCount: async () => all.length,
  });
  return { sequence, calls: () => calls };
}

/** A cursor this connection issued for the item at `index`. */
const cursorAt = (index: number) => codec.encode(KEY, { o: index });

describe('connectionFromSequence: arguments', () => {
  it.each<[string, ConnectionArguments, string]>([
    ['negative first', { first: -1 }, '"first" must be a non-negative integer'],
    ['negative last', { last: -1 }, '"last" must be a non-negative integer'],
    ['first above the maximum', { first: MAX_PAGE_SIZE + 1 }, '"first" must be at most 100'],
    ['last above the maximum', { last: 1000 }, '"last" must be at most 100'],
    ['non-integer first', { first: 1.5 }, '"first" must be a non-negative integer'],
    ['non-integer last', { last: 0.5 }, '"last" must be a non-negative integer'],
    ['NaN first', { first: Number.NaN }, '"first" must be a non-negative integer'],
    ['infinite first', { first: Number.POSITIVE_INFINITY }, '"first" must be a non-negative integer'],
    ['first with last', { first: 1, last: 1 }, 'pass "first" or "last", not both'],
    ['first with before', { first: 1, before: cursorAt(5) }, '"before" goes with "last"; use "after" with "first"'],
    ['last with after', { last: 1, after: cursorAt(5) }, '"after" goes with "first"; use "before" with "last"'],
    // Regression: `after` with `before` and no size read backwards from `before` and ignored `after`.
    ['after with before', { after: cursorAt(1), before: cursorAt(5) }, 'pass "after" or "before", not both'],
    [
      'a cursor from another connection',
      { after: codec.encode('Ledger:formance:other/accounts', { o: 1 }) },
      'cursor is not valid',
    ],
    [
      'a cursor from another gateway',
      { after: createCursorCodec('other-secret').encode(KEY, { o: 1 }) },
      'cursor is not valid',
    ],
    ['a garbage cursor', { after: 'not-a-cursor' }, 'cursor is not valid'],
    ['an empty cursor', { before: '' }, 'cursor is not valid'],
    [
      'a cursor of another paging kind',
      { after: codec.encode(KEY, { t: null, i: 3 }) },
      'cursor does not point into this list',
    ],
  ])('refuses %s before any vendor call', async (_label, args, message) => {
    const { sequence, calls } = fixture();
    const result = connectionFromSequence(sequence, args, { codec, key: KEY });
    await expect(result).rejects.toThrow(RelayInputError);
    await expect(result).rejects.toThrow(message);
    expect(calls()).toBe(0);
  });

  it.each<[string, ConnectionArguments, number[], { hasNextPage: boolean; hasPreviousPage: boolean }]>([
    ['no arguments: the first 20', {}, all.slice(0, 20), { hasNextPage: true, hasPreviousPage: false }],
    [
      'null arguments: the first 20',
      { first: null, after: null, last: null, before: null },
      all.slice(0, 20),
      { hasNextPage: true, hasPreviousPage: false },
    ],
    ['first 100', { first: 100 }, all.slice(0, 100), { hasNextPage: true, hasPreviousPage: false }],
    ['first 0', { first: 0 }, [], { hasNextPage: true, hasPreviousPage: false }],
    [
      'after alone: the next 20',
      { after: cursorAt(9) },
      all.slice(10, 30),
      { hasNextPage: true, hasPreviousPage: true },
    ],
    ['first after', { first: 5, after: cursorAt(9) }, all.slice(10, 15), { hasNextPage: true, hasPreviousPage: true }],
    [
      'first after, up to the end',
      { first: 5, after: cursorAt(246) },
      all.slice(247),
      { hasNextPage: false, hasPreviousPage: true },
    ],
    [
      'first after the last item',
      { first: 5, after: cursorAt(249) },
      [],
      { hasNextPage: false, hasPreviousPage: true },
    ],
    [
      'first ending exactly at the end',
      { first: 3, after: cursorAt(246) },
      all.slice(247),
      { hasNextPage: false, hasPreviousPage: true },
    ],
    ['last 100', { last: 100 }, all.slice(150), { hasNextPage: false, hasPreviousPage: true }],
    ['last 0', { last: 0 }, [], { hasNextPage: false, hasPreviousPage: true }],
    [
      'before alone: the 20 before',
      { before: cursorAt(100) },
      all.slice(80, 100),
      { hasNextPage: true, hasPreviousPage: true },
    ],
    [
      'last before',
      { last: 5, before: cursorAt(100) },
      all.slice(95, 100),
      { hasNextPage: true, hasPreviousPage: true },
    ],
    [
      'last before, down to the start',
      { last: 5, before: cursorAt(3) },
      all.slice(0, 3),
      { hasNextPage: true, hasPreviousPage: false },
    ],
    ['last before the first item', { last: 5, before: cursorAt(0) }, [], { hasNextPage: true, hasPreviousPage: false }],
    [
      'last starting exactly at the start',
      { last: 5, before: cursorAt(5) },
      all.slice(0, 5),
      { hasNextPage: true, hasPreviousPage: false },
    ],
  ])('reads %s', async (_label, args, nodes, flags) => {
    const { sequence } = fixture();
    const connection = await connectionFromSequence(sequence, args, { codec, key: KEY });
    expect(connection.edges.map((edge) => edge.node)).toEqual(nodes);
    expect(plainPageInfo(connection.pageInfo)).toEqual({
      ...flags,
      startCursor: connection.edges[0]?.cursor ?? null,
      endCursor: connection.edges.at(-1)?.cursor ?? null,
    });
    // Every edge's cursor points at its own node.
    for (const edge of connection.edges) expect(codec.decode(KEY, edge.cursor)).toEqual({ o: edge.node });
  });

  it('uses the connection’s own default and maximum', async () => {
    const { sequence } = fixture();
    const options = { codec, key: KEY, defaultSize: 5, maxSize: 10 };
    expect((await connectionFromSequence(sequence, {}, options)).edges).toHaveLength(5);
    expect((await connectionFromSequence(sequence, { before: cursorAt(50) }, options)).edges).toHaveLength(5);
    expect((await connectionFromSequence(sequence, { first: 10 }, options)).edges).toHaveLength(10);
    await expect(connectionFromSequence(sequence, { first: 11 }, options)).rejects.toThrow(
      '"first" must be at most 10',
    );
  });

  it('defaults to 20 and caps at 100', () => {
    expect(DEFAULT_PAGE_SIZE).toBe(20);
    expect(MAX_PAGE_SIZE).toBe(100);
  });

  it('asks the vendor for the total only when totalCount is read', async () => {
    const { sequence } = fixture();
    let asked = 0;
    const counting: Sequence<number> = {
      ...sequence,
      totalCount: async () => {
        asked += 1;
        return sequence.totalCount();
      },
    };
    const connection = await connectionFromSequence(counting, { first: 1 }, { codec, key: KEY });
    expect(asked).toBe(0);
    expect(await connection.totalCount()).toBe(250);
    expect(asked).toBe(1);
  });

  it('gives every page the same pageInfo accessors, none of its own: V8 keeps an own accessor’s page alive past young GCs', async () => {
    const { sequence } = fixture();
    const pages = await Promise.all(
      [0, 1].map(() => connectionFromSequence(sequence, { first: 2 }, { codec, key: KEY })),
    );
    const [one, other] = pages.map((page) => page.pageInfo);
    for (const name of ['startCursor', 'endCursor'])
      expect(Object.getOwnPropertyDescriptor(one as object, name), name).toBeUndefined();
    expect(Object.getPrototypeOf(one)).toBe(Object.getPrototypeOf(other));
    expect(one?.endCursor).toBe(pages[0]?.edges[1]?.cursor);
  });

  it('binds its cursors to the connection key', async () => {
    const { sequence } = fixture();
    const connection = await connectionFromSequence(sequence, { first: 2 }, { codec, key: KEY });
    const cursor = connection.pageInfo.endCursor as string;
    await expect(
      connectionFromSequence(sequence, { after: cursor }, { codec, key: `${KEY}?address=users:` }),
    ).rejects.toThrow(RelayInputError);
    expect((await connectionFromSequence(sequence, { after: cursor }, { codec, key: KEY })).edges[0]?.node).toBe(2);
  });
});
