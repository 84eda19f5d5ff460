import { accountsInOrder, type Account, type Ledger, type Volumes } from './data.ts';
import { evaluate, type Filter, type Resource } from './query.ts';
import {
  decodeCursor,
  HttpFailure,
  pageOf,
  readPageSize,
  sortedKeys,
  type CursorBody,
  type OffsetQuery,
  type WireValue,
} from './wire.ts';

/** What the v1 and v2 handlers share: rendering accounts and volumes, and reading a paged query. */

/** Renders a big integer as Go does: bare digits, or a string when v2's `Formance-Bigint-As-String` asks. */
export type Amount = (value: bigint) => WireValue;
export const bare: Amount = (value) => value;
export const quoted: Amount = (value) => value.toString();

export function renderVolumes(volumes: Map<string, Volumes>, amount: Amount): WireValue {
  return Object.fromEntries(
    sortedKeys(volumes).map((asset) => {
      const { input, output } = volumes.get(asset) as Volumes;
      return [asset, { input: amount(input), output: amount(output), balance: amount(input - output) }];
    }),
  );
}

/** `ledger.Account` as encoding/json writes it; `volumes` only when expanded and not empty (omitempty). */
export function renderAccount(account: Account, expand: readonly string[], amount: Amount): WireValue {
  return {
    address: account.address,
    metadata: renderMetadata(account.metadata),
    firstUsage: account.firstUsage,
    insertionDate: account.insertionDate,
    updatedAt: account.updatedAt,
    volumes:
      expand.includes('volumes') && account.volumes.size > 0 ? renderVolumes(account.volumes, amount) : undefined,
  };
}

export function renderMetadata(metadata: Readonly<Record<string, string>>): WireValue {
  return Object.fromEntries(sortedKeys(metadata).map((key) => [key, metadata[key] as string]));
}

/** The features an `expand` needs (internal/storage/ledger/resource_accounts.go `Expand`). */
export function missingFeatureFor(ledger: Ledger, expand: readonly string[]): string | null {
  if (expand.includes('volumes') && ledger.features.MOVES_HISTORY !== 'ON')
    return "feature MOVES_HISTORY must be 'ON' to use volumes";
  if (expand.includes('effectiveVolumes') && ledger.features.MOVES_HISTORY_POST_COMMIT_EFFECTIVE_VOLUMES !== 'SYNC') {
    return "feature MOVES_HISTORY_POST_COMMIT_EFFECTIVE_VOLUMES must be 'SYNC' to use effectiveVolumes";
  }
  return null;
}

export interface PagingRules {
  readonly defaultSize: number;
  readonly maxSize: number;
}

/**
 * The paged query of a request: from `cursor` when one is sent (other parameters ignored, but
 * `pageSize` may still override the cursor's), else built from the request by `initial`.
 */
export function pagedQuery(
  params: URLSearchParams,
  rules: PagingRules,
  initial: () => Omit<OffsetQuery, 'pageSize' | 'offset'>,
): OffsetQuery {
  const cursor = params.get('cursor');
  if (cursor) {
    const { column, order, pageSize, filters, offset } = decodeCursor(cursor);
    return {
      column,
      order,
      pageSize: readPageSize(params.get('pageSize') ?? undefined, pageSize, rules.maxSize),
      filters,
      offset,
    };
  }
  const { column, order, filters } = initial();
  return {
    column,
    order,
    pageSize: readPageSize(params.get('pageSize') ?? undefined, rules.defaultSize, rules.maxSize),
    filters,
    offset: 0,
  };
}

/** The accounts a filter selects, in list order (address ascending, or descending for `order: 1`). */
export function selectAccounts(ledger: Ledger, query: OffsetQuery, resource: Resource = 'accounts'): Account[] {
  const selected = accountsInOrder(ledger).filter((account) =>
    evaluate(query.filters.qb as Filter | null, resource, account),
  );
  return query.order === 1 ? selected.reverse() : selected;
}

export function cursorOf<T, R extends WireValue>(
  items: readonly T[],
  query: OffsetQuery,
  render: (item: T) => R,
): CursorBody<R> {
  const page = pageOf(items, query);
  return { ...page, data: page.data.map(render) };
}

export const internalError = () =>
  new HttpFailure(500, 'INTERNAL', 'Internal error. Consult logs/traces to have more details.');
