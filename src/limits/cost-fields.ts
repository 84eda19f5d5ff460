import { getNamedType, isListType, isNonNullType, type GraphQLField } from 'graphql';
import { DEFAULT_PAGE_SIZE } from '../relay/connection.ts';
import { type HistoryInterval, windowInstants } from '../relay/history-window.ts';

/** What one resolution of a field reads from the sources, for cost.ts: items, IDs, vendor calls. */

/**
 * Items assumed for a list field without paging. They are small in practice (an account's assets,
 * a ledger's assets); ten is generous for each. `Query.sources` counts the configured sources (cost.ts).
 */
export const UNPAGED_LIST_ITEMS: Readonly<Record<string, number>> = {
  'Account.balances': 10,
  'Ledger.aggregatedBalances': 10,
};
const OTHER_LIST_ITEMS = 10;

/**
 * Connections merged over every source: paging forwards reads a page from each source at once
 * (relay/concat-sequences.ts `concatSequences`), so the page is read up to once per configured source.
 */
export const MERGED_CONNECTIONS: ReadonlySet<string> = new Set(['Query.ledgers']);

/**
 * Vendor calls of one connection read that does not walk, beside its items: the page and the
 * look-ahead that tells `hasNextPage` (a second vendor page when the page ends a vendor page), or
 * a fact the connector reads first (a Formance ledger's features).
 */
export const READ_CALLS = 2;

/** IDs named by a field's arguments of type ID or [ID]. */
export function idsIn(field: GraphQLField<unknown, unknown>, args: Record<string, unknown>): number {
  let count = 0;
  for (const argument of field.args) {
    if (getNamedType(argument.type).name !== 'ID') continue;
    const value = args[argument.name];
    if (Array.isArray(value)) count += value.length;
    else if (value !== undefined && value !== null) count += 1;
  }
  return count;
}

/** Items one resolution of a connection field yields: its page size (the resolvers' default when absent). */
export function pageItems(coordinate: string, args: Record<string, unknown>): number {
  const size =
    typeof args.first === 'number' ? args.first : typeof args.last === 'number' ? args.last : DEFAULT_PAGE_SIZE;
  const page = Math.max(0, size);
  return coordinate === 'Account.history' ? Math.min(page, historyPoints(args)) : page;
}

/**
 * Whether one read of a connection may walk the vendor's pages: `last` without `before` (a history
 * is a list of known length, read at its end directly), or balances filtered on an asset, which
 * some vendors cannot filter (Formance, Midaz: the connector filters page by page).
 */
export function walks(coordinate: string, args: Record<string, unknown>): boolean {
  if (coordinate === 'Account.history') return false;
  if (typeof args.last === 'number' && (args.before === undefined || args.before === null)) return true;
  const filter = args.filter as { asset?: unknown } | null | undefined;
  return coordinate === 'Ledger.balances' && typeof filter?.asset === 'string' && filter.asset !== '';
}

/** Points in a history window, as the resolver will compute them; 0 for a window it refuses (before any vendor call). */
function historyPoints(args: Record<string, unknown>): number {
  try {
    return windowInstants({
      asset: String(args.asset),
      from: String(args.from),
      to: String(args.to),
      interval: (args.interval ?? 'DAY') as HistoryInterval,
    }).length;
  } catch {
    return 0;
  }
}

/** Objects one resolution of a non-connection composite field yields. */
export function objectsOf(
  field: GraphQLField<unknown, unknown>,
  coordinate: string,
  args: Record<string, unknown>,
): number {
  const type = isNonNullType(field.type) ? field.type.ofType : field.type;
  if (!isListType(type)) return 1;
  if (Array.isArray(args.ids)) return args.ids.length;
  return UNPAGED_LIST_ITEMS[coordinate] ?? OTHER_LIST_ITEMS;
}
