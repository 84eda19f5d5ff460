import { describe, expect, it } from 'vitest';
import { concatSequences, type SequencePart, type Speculate } from '../../src/relay/concat-sequences.ts';
import type { Sequence } from '../../src/relay/sequence.ts';

// A merged list reads later parts ahead of need; the reads the page turns out not to need are abandoned.
describe('concatSequences: reads ahead are abandoned once the page is full', () => {
  /** A part whose forward read answers `items` at once, or never (`null`: a hung vendor). */
  const part = (key: string, items: string[] | null, abandoned: string[]): SequencePart<string> => {
    const sequence: Sequence<string> = {
      after: () =>
        items === null
          ? new Promise(() => {})
          : Promise.resolve({ edges: items.map((node, at) => ({ node, position: at })), more: false }),
      before: () => Promise.reject(new Error('not read backwards here')),
      countable: false,
      totalCount: async () => null,
    };
    const speculate: Speculate = (read) => ({ result: read(), abandon: () => abandoned.push(key) });
    return { key, sequence, speculate };
  };

  it('answers from the first part without waiting for a hung later one, and abandons every part it did not use', async () => {
    const abandoned: string[] = [];
    const sequence = concatSequences(
      [part('a', ['a0', 'a1', 'a2'], abandoned), part('hung', null, abandoned), part('c', ['c0'], abandoned)],
      () => {},
    );
    const slice = await sequence.after(null, 2);
    expect(slice.edges.map((edge) => edge.node)).toEqual(['a0', 'a1']);
    expect(slice.more).toBe(true);
    expect(abandoned).toEqual(['hung', 'c']);
  });

  it('abandons nothing it used: a page that needs every part', async () => {
    const abandoned: string[] = [];
    const sequence = concatSequences(
      [part('a', ['a0'], abandoned), part('b', ['b0'], abandoned), part('c', ['c0', 'c1'], abandoned)],
      () => {},
    );
    const slice = await sequence.after(null, 3);
    expect(slice.edges.map((edge) => edge.node)).toEqual(['a0', 'b0', 'c0']);
    expect(abandoned).toEqual([]);
  });
});
