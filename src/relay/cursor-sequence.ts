import { invalidPosition } from './errors.ts';
import type { CursorList, CursorPage, Position, Sequence, SequenceEdge } from './sequence-types.ts';

/**
 * An opaque-cursor vendor list as a sequence. A position is `{ t: <vendor page token, null for the
 * first page>, i: <index in that page> }`; on the last item of a page it also carries `n`, the
 * vendor's next cursor, so reading on needs no refetch. Whether more items follow is known from the
 * vendor's next and previous cursors, never from an extra call.
 */
export function cursorSequence<T>(list: CursorList<T>): Sequence<T> {
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
