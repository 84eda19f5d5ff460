/**
 * The paging translation at the heart of the gateway. A connector describes how its vendor pages
 * a list (`VendorList`: opaque cursor pages, or limit/offset ranges); `sequenceOf` turns that into a
 * `Sequence`, which reads exactly the items a Relay page needs, forwards or backwards from a
 * position, and says whether more items lie beyond them. Positions are small JSON values that the
 * cursor codec seals into Relay cursors:
 *   - cursor paging (cursor-sequence.ts): `{ t: <vendor page token or null for the first page>,
 *     i: <index in that page> }`, and on the last item of a page `n`: the vendor's next cursor
 *   - offset paging (offset-sequence.ts): `{ o: <index in the list> }`
 *   - concatenation (concat-sequences.ts): `{ k: <part key>, p: <position inside that part> }`
 * This module is the entry the rest of the gateway imports; it knows no vendor and no GraphQL.
 */

import { cursorSequence } from './cursor-sequence.ts';
import { offsetSequence } from './offset-sequence.ts';
import type { Sequence, VendorList } from './sequence-types.ts';

export { concatSequences, type SequencePart } from './concat-sequences.ts';
export type { CursorPage, Position, Sequence, SequenceEdge, Slice, VendorList } from './sequence-types.ts';

export function sequenceOf<T>(list: VendorList<T>): Sequence<T> {
  return list.paging === 'cursor' ? cursorSequence(list) : offsetSequence(list);
}
