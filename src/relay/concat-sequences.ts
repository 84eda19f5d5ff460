import { invalidPosition, RelayInputError } from './errors.ts';
import type { Position, Sequence, SequenceEdge, Slice } from './sequence-types.ts';

export interface SequencePart<T> {
  /** Stable key of the part (a source name), stored in positions. */
  readonly key: string;
  readonly sequence: Sequence<T>;
  /** How a read of this part that may turn out unneeded runs. Default: never abandoned. */
  readonly speculate?: Speculate;
}

/**
 * Starts a read that may turn out unneeded; `abandon` stops what it still has in flight (the
 * caller's runtime decides how: the gateway aborts its vendor calls). The default never abandons.
 */
export type Speculate = <R>(read: () => Promise<R>) => { readonly result: Promise<R>; abandon(): void };

const keepReading: Speculate = (read) => ({ result: read(), abandon: () => {} });

/**
 * Several sequences read as one, in the given order (the ledgers of every source, in config order).
 * A part that fails is reported through `onError` and skipped, so the other parts still answer.
 * A position is `{ k: <part key>, p: <position inside that part> }`.
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
     * own deadline, not the sum of all, then takes them in order until the page is full. The later
     * parts' reads are speculative: once earlier parts fill the page they are abandoned (nothing
     * more is read for them), and their errors are not reported (the page does not show them).
     */
    async after(position, count) {
      const from = position === null ? { index: 0, inner: null } : readPosition(position);
      const remaining = parts.slice(from.index);
      const reads = remaining.map((part, at) =>
        (part.speculate ?? keepReading)(() => settle(() => part.sequence.after(at === 0 ? from.inner : null, count))),
      );
      const edges: SequenceEdge<T>[] = [];
      let used = 0;
      try {
        for (const [at, part] of remaining.entries()) {
          const outcome = await (reads[at] as { result: Promise<Outcome> }).result;
          used = at + 1;
          if ('error' in outcome) {
            skip(part, outcome.error);
            continue;
          }
          const room = count - edges.length;
          edges.push(...wrap(part.key, outcome.slice.edges.slice(0, room)));
          if (outcome.slice.more || outcome.slice.edges.length > room) return { edges, more: true };
        }
        return { edges, more: false };
      } finally {
        // The reads the page did not need (or did not get to, on a bad position) stop here.
        for (const read of reads.slice(used)) read.abandon();
      }
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
