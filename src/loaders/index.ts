import type DataLoader from 'dataloader';
import { UnsupportedBySourceError } from '../errors.ts';
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
import { createSourceLoader } from './source-loader.ts';

/** The per-request loaders, one per kind of lookup. Created in the context factory of every request. */
export interface Loaders {
  readonly ledgers: DataLoader<LedgerRef, LedgerModel, string>;
  readonly accounts: DataLoader<AccountRef, AccountModel, string>;
  readonly accountBalances: DataLoader<AccountRef, readonly BalanceModel[], string>;
  readonly history: DataLoader<HistoryKey, readonly HistoryPointModel[], string>;
}

/** A history request tagged with its source, so the loader can group it. */
export type HistoryKey = HistoryRequest & { readonly source: string };

const ledgerKey = (ref: LedgerRef) => JSON.stringify([ref.source, ref.ledgerId]);
const accountKey = (ref: AccountRef) => JSON.stringify([ref.source, ref.ledgerId, ref.accountId]);

export function createLoaders(connectors: ReadonlyMap<string, Connector>): Loaders {
  const unsupported = (what: string) => (connector: Connector) =>
    new UnsupportedBySourceError(`source "${connector.name}" (${connector.kind}) cannot tell ${what}`, {
      source: connector.name,
    });
  return {
    ledgers: createSourceLoader({
      name: 'ledgers',
      connectors,
      cacheKey: ledgerKey,
      method: (connector) => connector.getLedgers,
      unsupported: unsupported('ledgers'),
    }),
    accounts: createSourceLoader({
      name: 'accounts',
      connectors,
      cacheKey: accountKey,
      method: (connector) => connector.getAccounts,
      unsupported: unsupported('accounts'),
    }),
    accountBalances: createSourceLoader({
      name: 'accountBalances',
      connectors,
      cacheKey: accountKey,
      method: (connector) => connector.getAccountBalances,
      unsupported: unsupported('balances'),
    }),
    history: createSourceLoader({
      name: 'history',
      connectors,
      cacheKey: (request) => JSON.stringify([accountKey(request.account), request.asset, request.at]),
      method: (connector) => connector.getHistory,
      unsupported: unsupported('past balances'),
    }),
  };
}
