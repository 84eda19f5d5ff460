import type { VendorList } from '../relay/sequence.ts';
import { identitiesOf } from '../relay/page-identities.ts';
import { VendorShapeError } from './json.ts';

/**
 * Checks of a vendor answer as a whole, beside the per-field reads of json.ts: the same thing
 * listed twice in one answer (two balances for one account, two accounts with one id), or a row of
 * another account or ledger than the one asked for. Either means the answer cannot be trusted, and
 * picking one of two rows would be a silent guess: a VendorShapeError, SOURCE_BAD_RESPONSE once it
 * goes through a client's `decode`.
 */

/** Throws when two items of one answer have the same key; `what` names the items (`accounts`). */
export function requireDistinct<T>(items: readonly T[], keyOf: (item: T) => string, what: string): void {
  const { keys, set } = identitiesOf(items, keyOf);
  if (set.size !== keys.length) throw new VendorShapeError(`the answer lists one of its ${what} twice`);
}

/** Throws when a row names another account or ledger than asked; `what` says which (`a balance's accountId`). */
export function requireAsked(actual: string, asked: string, what: string, sameId = exact): void {
  if (!sameId(actual, asked)) throw new VendorShapeError(`${what} is not the one asked for`);
}

const exact = (a: string, b: string) => a === b;
/** For vendors whose ids are UUIDs, which compare without case. */
export const sameUuid = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

/**
 * The list with each page (cursor lists) or range (offset lists) checked for an item listed twice,
 * keyed by the list's own `identify`, the key its walks compare too: one identity per item. The
 * only such check on a list's pages: the walk guard (relay/walk-guard.ts) compares pages, not the
 * items within one.
 * `decode` is the source client's, so the refusal is that source's SOURCE_BAD_RESPONSE.
 */
export function distinctPages<T>(list: VendorList<T>, what: string, decode: <R>(map: () => R) => R): VendorList<T> {
  const { identify } = list;
  if (identify === undefined) return list;
  if (list.paging === 'cursor') {
    const { fetchPage } = list;
    return {
      ...list,
      fetchPage: async (token) => {
        const page = await fetchPage.call(list, token);
        decode(() => requireDistinct(page.items, identify, what));
        return page;
      },
    };
  }
  const { fetchRange } = list;
  return {
    ...list,
    fetchRange: async (offset, limit) => {
      const items = await fetchRange.call(list, offset, limit);
      decode(() => requireDistinct(items, identify, what));
      return items;
    },
  };
}
