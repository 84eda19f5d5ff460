import { methodFor } from '../providers/capabilities.ts';
import type {
  AccountModel,
  AccountRef,
  BalanceModel,
  Connector,
  HistoryPointModel,
  HistoryRequest,
  LedgerModel,
  LedgerRef,
} from '../providers/types.ts';
import { createSourceLoader, type SourceLoader } from './source-loader.ts';

/** The per-request loaders, one per kind of lookup. Created in the context factory of every request. */
export interface Loaders {
  readonly ledgers: SourceLoader<LedgerRef, LedgerModel>;
  readonly accounts: SourceLoader<AccountRef, AccountModel>;
  readonly accountBalances: SourceLoader<AccountRef, readonly BalanceModel[]>;
  readonly history: SourceLoader<HistoryKey, readonly HistoryPointModel[]>;
}

/** A history request tagged with its source, so the loader can group it. */
export type HistoryKey = HistoryRequest & { readonly source: string };

/**
 * Cache keys: each part but the last prefixed with its length, so no two different key tuples
 * spell the same string whatever characters the ids hold (`a:b` + `c` is not `a` + `b:c`), without
 * a `JSON.stringify` per key: every node of a list page primes a loader with one.
 */
const ledgerKey = (ref: LedgerRef) => `${ref.source.length}:${ref.source}${ref.ledgerId}`;
const accountKey = (ref: AccountRef) =>
  `${ref.source.length}:${ref.source}${ref.ledgerId.length}:${ref.ledgerId}${ref.accountId}`;

export function createLoaders(connectors: ReadonlyMap<string, Connector>): Loaders {
  return {
    ledgers: createSourceLoader({
      name: 'ledgers',
      connectors,
      cacheKey: ledgerKey,
      load: (connector, refs) => connector.getLedgers(refs),
    }),
    accounts: createSourceLoader({
      name: 'accounts',
      connectors,
      cacheKey: accountKey,
      load: (connector, refs) => connector.getAccounts(refs),
    }),
    accountBalances: createSourceLoader({
      name: 'accountBalances',
      connectors,
      cacheKey: accountKey,
      load: (connector, refs) => connector.getAccountBalances(refs),
    }),
    history: createSourceLoader({
      name: 'history',
      connectors,
      cacheKey: (request) => JSON.stringify([accountKey(request.account), request.asset, request.at]),
      // Account.history has checked the capability; were it missing, each key of the source would fail, no other.
      load: (connector, requests) => methodFor(connector, 'HISTORY')(requests),
    }),
  };
}
