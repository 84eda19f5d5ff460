/**
 * What each GraphQL type resolves from (the codegen mappers). Sources are connectors; objects are
 * the providers' domain models; connections are the relay layer's plain objects.
 */
import type { Connection } from '../relay/connection.ts';
import type { AccountModel, BalanceModel, Connector, HistoryPointModel, LedgerModel } from '../providers/types.ts';

export type { Money as MoneyModel } from '../money.ts';
export type { AccountModel, BalanceModel, HistoryPointModel, LedgerModel, TopUpModel } from '../providers/types.ts';

export type SourceModel = Connector;

type EdgeOf<T> = Connection<T>['edges'][number];

export type LedgerConnectionModel = Connection<LedgerModel>;
export type LedgerEdgeModel = EdgeOf<LedgerModel>;
export type AccountConnectionModel = Connection<AccountModel>;
export type AccountEdgeModel = EdgeOf<AccountModel>;
export type BalanceConnectionModel = Connection<BalanceModel>;
export type BalanceEdgeModel = EdgeOf<BalanceModel>;
export type HistoryConnectionModel = Connection<HistoryPointModel>;
export type HistoryEdgeModel = EdgeOf<HistoryPointModel>;
