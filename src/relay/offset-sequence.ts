import { invalidPosition } from './errors.ts';
import type { OffsetList, Position, Sequence } from './sequence-types.ts';
import { startWalk, type Walk } from './walk-guard.ts';

/**
 * A limit/offset vendor list as a sequence. A position is `{ o: <index in the list> }`. Reads go
 * in vendor calls of at most `maxLimit` items; one item more than asked tells whether a next page
 * exists, unless the list's length is known. Every read is one walk, bounded by the list's `walk`
 * (walk-guard.ts): a range that brings only items already read (an ignored offset) or too many
 * ranges end it with the list's error.
 */
export function offsetSequence<T>(list: OffsetList<T>): Sequence<T> {
  const readOffset = (position: Position): number => {
    const offset = (position as { o?: unknown } | null)?.o;
    if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) invalidPosition();
    return offset;
  };
  const walkOver = () => startWalk(list.walk, list.identify);
  /** One vendor call of the walk: at most `want` items from `offset`. */
  const fetch = async (walk: Walk<T>, offset: number, want: number): Promise<readonly T[]> => {
    walk.next();
    const got = await list.fetchRange(offset, want);
    // The vendor's own array where it kept to `want`: a frozen one (a shared answer) keeps its
    // item keys worked out once (page-identities.ts); a copy would work them out per read.
    const page = got.length > want ? got.slice(0, want) : got;
    walk.read(page, page.length === want);
    return page;
  };
  /** Reads `limit` items from `offset`, in vendor calls of at most `maxLimit`. */
  const range = async (offset: number, limit: number): Promise<T[]> => {
    const walk = walkOver();
    const items: T[] = [];
    while (items.length < limit) {
      const want = Math.min(list.maxLimit, limit - items.length);
      const page = await fetch(walk, offset + items.length, want);
      items.push(...page);
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
      // A vendor that counts the list tells where its end is: `last` reads there, no walk.
      if (position === null && count > 0 && list.totalCount) {
        const total = await list.totalCount();
        if (total !== null) position = { o: total };
      }
      if (position !== null) {
        const end = readOffset(position);
        const start = Math.max(0, end - count);
        return { edges: edges(await range(start, end - start), start), more: start > 0 };
      }
      // Nothing to return: whether the list has any item is one call, not a walk to its end.
      if (count === 0) return { edges: [], more: (await range(0, 1)).length > 0 };
      // No end position: walk to the end of the list, keeping only the last `count` items.
      const walk = walkOver();
      let offset = 0;
      let window: readonly T[] = [];
      for (;;) {
        const page = await fetch(walk, offset, list.maxLimit);
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
