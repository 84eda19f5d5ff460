import { invalidPosition } from './errors.ts';
import type { CursorList, CursorPage, Position, Sequence, SequenceEdge } from './sequence-types.ts';
import { startWalk } from './walk-guard.ts';

/**
 * An opaque-cursor vendor list as a sequence. A position is `{ t: <vendor page token, null for the
 * first page>, i: <index in that page> }`; on the last item of a page it also carries `n`, the
 * vendor's next cursor, so reading on needs no refetch. Whether more items follow is known from the
 * vendor's next and previous cursors, never from an extra call. Every read is one walk, bounded by
 * the list's `walk` (walk-guard.ts): a cursor that does not advance, a repeated page, empty pages
 * that claim more or too many pages end it with the list's error.
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
  /** A walk over the list: `fetch` reads the page of a token under its bounds. */
  const walkOver = () => {
    const walk = startWalk(list.walk, list.identify);
    return async (token: string | null, more: (page: CursorPage<T>) => boolean): Promise<CursorPage<T>> => {
      walk.next(token);
      const page = await list.fetchPage(token);
      walk.read(page.items, more(page), page.recordKeys);
      return page;
    };
  };
  const forwards = (page: CursorPage<T>) => page.next !== null;
  const backwards = (page: CursorPage<T>) => page.previous !== null;

  /**
   * `last` without `before`: one walk along the next cursors to the last page, keeping only the
   * pages that hold the last `count` items, so nothing is read twice.
   */
  const lastItems = async (fetch: ReturnType<typeof walkOver>, count: number) => {
    const kept: Array<{ token: string | null; page: CursorPage<T> }> = [];
    let keptItems = 0;
    let itemsBefore = 0;
    let token: string | null = null;
    for (;;) {
      const page = await fetch(token, forwards);
      kept.push({ token, page });
      keptItems += page.items.length;
      // Drop the oldest kept page while the others still hold `count` items.
      while (kept.length > 1 && keptItems - (kept[0] as { page: CursorPage<T> }).page.items.length >= count) {
        const dropped = (kept.shift() as { page: CursorPage<T> }).page.items.length;
        keptItems -= dropped;
        itemsBefore += dropped;
      }
      if (page.next === null) break;
      token = page.next;
    }
    const edges = kept.flatMap(({ token, page }) =>
      page.items.map((node, index) => ({ node, position: positionIn(token, page, index) })),
    );
    const skipped = Math.max(0, edges.length - count);
    return { edges: edges.slice(skipped), more: itemsBefore + skipped > 0 };
  };

  return {
    async after(position, count) {
      const from = position === null ? { t: null, i: -1 } : readPosition(position);
      const fetch = walkOver();
      // After the last item of a vendor page, read on from the next page it sealed in.
      let token = from.n ?? from.t;
      let page = await fetch(token, forwards);
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
        page = await fetch(token, forwards);
        index = 0;
      }
    },
    async before(position, count) {
      const fetch = walkOver();
      if (position === null && count === 0) {
        // Nothing to return: whether the list has any item is known from its first page.
        const first = await fetch(null, forwards);
        return { edges: [], more: first.items.length > 0 || first.next !== null };
      }
      if (position === null) return lastItems(fetch, count);
      const from = readPosition(position);
      let token = from.t;
      let page = await fetch(token, backwards);
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
        page = await fetch(token, backwards);
        index = page.items.length - 1;
      }
    },
    countable: list.totalCount !== undefined,
    totalCount: async () => (list.totalCount ? list.totalCount() : null),
  };
}
