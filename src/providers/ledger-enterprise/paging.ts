import { planPageReads } from '../../relay/page-plan.ts';
import type { VendorList } from '../../relay/sequence.ts';
import type { WalkBounds } from '../../relay/walk-guard.ts';
import type { QueryValue } from '../http/index.ts';
import { readSearchPage, type VaultAccount } from './map.ts';
import { rememberAccount, type VaultContext } from './facts.ts';

/**
 * The account search pages by `page` (from 1) and `page_size`; the relay's offset ranges are
 * translated into pages. `page_size` 0 or −1 means "a maximum defined in the gate", a number the
 * spec does not give, so the connector always sends an explicit size of at most 100.
 */
export const VAULT_PAGE_SIZE = 100;

/**
 * A search (newest first, the Vault's default order) as the relay's offset list. `map` turns the
 * accounts of one range into items (it may read currencies). `page_info.count` is the total count,
 * remembered from the last page read, so that `totalCount` and reads past the end usually cost no
 * call, and `last` without `before` reads the end of the list directly (the count, then the range).
 * `walk` bounds the relay's walks and names the items (providers/walks.ts).
 */
export function searchList<T>(
  context: VaultContext,
  filters: Record<string, QueryValue>,
  map: (accounts: VaultAccount[]) => Promise<T[]>,
  walk: { readonly walk: WalkBounds; readonly identify: (item: T) => string },
): VendorList<T> {
  let count: number | null = null;
  const readPage = async (page: number, size: number) => {
    const response = await context.client.json({
      method: 'GET',
      path: '/accounts',
      query: { ...filters, page, page_size: size },
    });
    const result = context.client.decode(() => readSearchPage(response.body));
    count = result.count;
    for (const account of result.accounts) rememberAccount(context, account);
    return result;
  };
  return {
    paging: 'offset',
    maxLimit: VAULT_PAGE_SIZE,
    ...walk,
    async fetchRange(offset, limit) {
      // Past the end `page_info.count` told (the relay's look-ahead at the end of a list): no call.
      if (limit <= 0 || (count !== null && offset >= count)) return [];
      const plan = planPageReads(offset, limit, VAULT_PAGE_SIZE);
      const accounts: VaultAccount[] = [];
      for (let page = plan.first; page <= plan.last; page += 1) {
        const result = await readPage(page, plan.size);
        accounts.push(...result.accounts);
        if (!result.hasNextPage || result.accounts.length < plan.size) break;
      }
      const skip = offset - (plan.first - 1) * plan.size;
      return map(accounts.slice(skip, skip + limit));
    },
    async totalCount() {
      if (count === null) await readPage(1, 1);
      return count;
    },
  };
}
