/**
 * The paging translation at the heart of the gateway. A connector describes how its vendor pages
 * a list (`VendorList`: opaque cursor pages, or limit/offset ranges); `sequenceOf` turns that into a
 * `Sequence`, which reads exactly the items a Relay page needs, forwards or backwards from a
 * position, and says whether more items lie beyond them. Positions are small JSON values that the
 * cursor codec seals into Relay cursors:
 *   - cursor paging: `{ t: <vendor page token or null for the first page>, i: <index in that page> }`,
 *     and on the last item of a page `n`: the vendor's next cursor, so reading on needs no refetch
 *   - offset paging: `{ o: <index in the list> }`
 *   - concatenation: `{ k: <part key>, p: <position inside that part> }`
 * This file knows no vendor and no GraphQL.
 */

import { RelayInputError } from './errors.ts';

/** One vendor page reached through an opaque vendor cursor. */
export interface CursorPage<T> {
  readonly items: readonly T[];
  /** The vendor cursor of the following page; null on the last page. */
  readonly next: string | null;
  /** The vendor cursor of the preceding page; null on the first page. */
  readonly previous: string | null;
}

/** How a vendor pages one list. */
export type VendorList<T> =
  | {
      readonly paging: 'cursor';
      /** Reads the page a vendor cursor points at; `null` reads the first page. */
      fetchPage(token: string | null): Promise<CursorPage<T>>;
      totalCount?(): Promise<number | null>;
    }
  | {
      readonly paging: 'offset';
      /** Reads up to `limit` items from `offset` on, in list order; fewer than `limit` means the list ends. */
      fetchRange(offset: number, limit: number): Promise<readonly T[]>;
      /** Most items one vendor call returns. */
      readonly maxLimit: number;
      /** The list's length when known without reading (a generated list): reads never go past it. */
      readonly length?: number;
      totalCount?(): Promise<number | null>;
    };

export type Position = unknown;

export interface SequenceEdge<T> {
  readonly node: T;
  readonly position: Position;
}

export interface Slice<T> {
  /** In list order, whichever direction was read. */
  readonly edges: readonly SequenceEdge<T>[];
  /** Items exist beyond the slice in the direction of travel. */
  readonly more: boolean;
}

export interface Sequence<T> {
  /** Up to `count` items after `position` (from the start when null). */
  after(position: Position | null, count: number): Promise<Slice<T>>;
  /** Up to `count` items before `position` (from the end when null). */
  before(position: Position | null, count: number): Promise<Slice<T>>;
  /** Whether `totalCount` can ever answer (false: it is null without asking anyone). */
  readonly countable: boolean;
  totalCount(): Promise<number | null>;
}

export function sequenceOf<T>(list: VendorList<T>): Sequence<T> {
  return list.paging === 'cursor' ? cursorSequence(list) : offsetSequence(list);
}

function invalidPosition(): never {
  throw new RelayInputError('cursor does not point into this list');
}

function offsetSequence<T>(list: Extract<VendorList<T>, { paging: 'offset' }>): Sequence<T> {
  const readOffset = (position: Position): number => {
    const offset = (position as { o?: unknown } | null)?.o;
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) invalidPosition();
    return offset;
  };
  /** Reads `limit` items from `offset`, in vendor calls of at most `maxLimit`. */
  const range = async (offset: number, limit: number): Promise<T[]> => {
    const items: T[] = [];
    while (items.length < limit) {
      const want = Math.min(list.maxLimit, limit - items.length);
      const page = await list.fetchRange(offset + items.length, want);
      items.push(...page.slice(0, want));
      if (page.length < want) break;
    }
    return items;
  };
  const edges = (items: readonly T[], start: number) =>
    items.map((node, index) => ({ node, position: { o: start + index } }));

  const known = list.length;
  return {
    async after(position, count) {
      const start = position === null ? 0 : readOffset(position) + 1;
      if (known !== undefined) {
        const items = await range(start, Math.max(0, Math.min(count, known - start)));
        return { edges: edges(items, start), more: start + items.length < known };
      }
      const items = await range(start, count + 1); // one more than asked tells whether a next page exists
      return { edges: edges(items.slice(0, count), start), more: items.length > count };
    },
    async before(position, count) {
      if (position === null && known !== undefined) position = { o: known };
      if (position !== null) {
        const end = readOffset(position);
        const start = Math.max(0, end - count);
        return { edges: edges(await range(start, end - start), start), more: start > 0 };
      }
      // Nothing to return: whether the list has any item is one call, not a walk to its end.
      if (count === 0) return { edges: [], more: (await range(0, 1)).length > 0 };
      // No end position: walk to the end of the list, keeping only the last `count` items.
      let offset = 0;
      let window: T[] = [];
      for (;;) {
        const page = await list.fetchRange(offset, list.maxLimit);
        window = [...window, ...page].slice(-Math.max(count, 1));
        offset += page.length;
        if (page.length < list.maxLimit) break;
      }
      const kept = count === 0 ? [] : window.slice(-count);
      const start = offset - kept.length;
      return { edges: edges(kept, start), more: start > 0 };
    },
    countable: list.totalCount !== undefined || known !== undefined,
    totalCount: async () => (list.totalCount ? list.totalCount() : (known ?? null)),
  };
}

function cursorSequence<T>(list: Extract<VendorList<T>, { paging: 'cursor' }>): Sequence<T> {
  const readPosition = (position: Position): { t: string | null; i: number; n?: string } => {
    const { t, i, n } = (position ?? {}) as { t?: unknown; i?: unknown; n?: unknown };
    if ((t !== null && typeof t !== 'string') || typeof i !== 'number' || !Number.isSafeInteger(i) || i < 0)
      invalidPosition();
    if (n !== undefined && typeof n !== 'string') invalidPosition();
    return n === undefined ? { t, i } : { t, i, n };
  };
  /** The position of item `index` of a page; the page's last item also carries the next cursor. */
  const positionIn = (token: string | null, page: CursorPage<T>, index: number): Position =>
    index === page.items.length - 1 && page.next !== null
      ? { t: token, i: index, n: page.next }
      : { t: token, i: index };

  return {
    async after(position, count) {
      const from = position === null ? { t: null, i: -1 } : readPosition(position);
      // After the last item of a vendor page, read on from the next page it sealed in.
      let token = from.n ?? from.t;
      let page = await list.fetchPage(token);
      let index = from.n === undefined ? from.i + 1 : 0;
      const edges: SequenceEdge<T>[] = [];
      for (;;) {
        while (index < page.items.length && edges.length < count) {
          edges.push({ node: page.items[index] as T, position: positionIn(token, page, index) });
          index += 1;
        }
        if (index < page.items.length) return { edges, more: true };
        if (page.next === null) return { edges, more: false };
        // The page is used up: whether more follow is known from the vendor's next cursor.
        if (edges.length === count) return { edges, more: true };
        token = page.next;
        page = await list.fetchPage(token);
        index = 0;
      }
    },
    async before(position, count) {
      let from: { t: string | null; i: number };
      let page: CursorPage<T>;
      if (position === null && count === 0) {
        // Nothing to return: whether the list has any item is known from its first page.
        const first = await list.fetchPage(null);
        return { edges: [], more: first.items.length > 0 || first.next !== null };
      }
      if (position === null) {
        // No end position: follow the vendor's next cursors to the last page.
        let token: string | null = null;
        page = await list.fetchPage(null);
        while (page.next !== null) {
          token = page.next;
          page = await list.fetchPage(token);
        }
        from = { t: token, i: page.items.length };
      } else {
        from = readPosition(position);
        page = await list.fetchPage(from.t);
      }
      let token = from.t;
      let index = Math.min(from.i, page.items.length) - 1;
      const reversed: SequenceEdge<T>[] = [];
      for (;;) {
        while (index >= 0 && reversed.length < count) {
          reversed.push({ node: page.items[index] as T, position: positionIn(token, page, index) });
          index -= 1;
        }
        if (index >= 0) return { edges: reversed.reverse(), more: true };
        if (page.previous === null) return { edges: reversed.reverse(), more: false };
        if (reversed.length === count) return { edges: reversed.reverse(), more: true };
        token = page.previous;
        page = await list.fetchPage(token);
        index = page.items.length - 1;
      }
    },
    countable: list.totalCount !== undefined,
    totalCount: async () => (list.totalCount ? list.totalCount() : null),
  };
}

export interface SequencePart<T> {
  /** Stable key of the part (a source name), stored in positions. */
  readonly key: string;
  readonly sequence: Sequence<T>;
}

/**
 * Several sequences read as one, in the given order (the ledgers of every source, in config order).
 * A part that fails is reported through `onError` and skipped, so the other parts still answer.
 */
export function concatSequences<T>(
  parts: readonly SequencePart<T>[],
  onError: (key: string, error: unknown) => void,
): Sequence<T> {
  const readPosition = (position: Position): { index: number; inner: Position } => {
    const { k, p } = (position ?? {}) as { k?: unknown; p?: unknown };
    const index = parts.findIndex((part) => part.key === k);
    if (index < 0) invalidPosition();
    return { index, inner: p };
  };
  const wrap = (key: string, edges: readonly SequenceEdge<T>[]) =>
    edges.map((edge) => ({ node: edge.node, position: { k: key, p: edge.position } }));
  type Outcome = { slice: Slice<T> } | { error: unknown };
  const settle = (read: () => Promise<Slice<T>>): Promise<Outcome> =>
    read().then(
      (slice) => ({ slice }),
      (error: unknown) => ({ error }),
    );
  const countable = parts.every((part) => part.sequence.countable);
  /** A part's failure: reported and skipped, unless the caller's position itself is bad. */
  const skip = (part: SequencePart<T>, error: unknown): void => {
    if (error instanceof RelayInputError) throw error;
    onError(part.key, error);
  };

  return {
    /**
     * Reads `count` items from every remaining part at once, so a slow or hung source costs its
     * own deadline, not the sum of all, then takes them in order until the page is full. A later
     * part's read is wasted when earlier parts fill the page, and its error is not reported (the
     * page does not show that part).
     */
    async after(position, count) {
      const from = position === null ? { index: 0, inner: null } : readPosition(position);
      const remaining = parts.slice(from.index);
      const outcomes = remaining.map((part, at) =>
        settle(() => part.sequence.after(at === 0 ? from.inner : null, count)),
      );
      const edges: SequenceEdge<T>[] = [];
      for (const [at, part] of remaining.entries()) {
        const outcome = await (outcomes[at] as Promise<Outcome>);
        if ('error' in outcome) {
          skip(part, outcome.error);
          continue;
        }
        const room = count - edges.length;
        edges.push(...wrap(part.key, outcome.slice.edges.slice(0, room)));
        if (outcome.slice.more || outcome.slice.edges.length > room) return { edges, more: true };
      }
      return { edges, more: false };
    },
    /**
     * Backwards one part at a time: reading the end of an offset list whose length the vendor
     * does not tell is a walk, so later parts are read only when the page needs them.
     */
    async before(position, count) {
      const from = position === null ? { index: parts.length - 1, inner: null } : readPosition(position);
      const edges: SequenceEdge<T>[] = [];
      for (let index = from.index; index >= 0; index -= 1) {
        const part = parts[index] as SequencePart<T>;
        const outcome = await settle(() =>
          part.sequence.before(index === from.index ? from.inner : null, count - edges.length),
        );
        if ('error' in outcome) {
          skip(part, outcome.error);
          continue;
        }
        edges.unshift(...wrap(part.key, outcome.slice.edges));
        if (outcome.slice.more) return { edges, more: true };
      }
      return { edges, more: false };
    },
    countable,
    /** The sum of the parts' totals; null, without a vendor call, when any part can never tell. */
    async totalCount() {
      if (!countable) return null;
      const counts = await Promise.all(
        parts.map((part) =>
          part.sequence.totalCount().catch((error: unknown) => {
            onError(part.key, error);
            return null;
          }),
        ),
      );
      return counts.some((count) => count === null)
        ? null
        : counts.reduce<number>((sum, count) => sum + (count as number), 0);
    },
  };
}
