import type { Resolvers } from '../generated/resolvers.ts';

/** `nodes` and `totalCount` of every connection type: the edges' nodes, and the count asked only when selected. */
const connection = {
  nodes: <T>(parent: { edges: ReadonlyArray<{ node: T }> }) => parent.edges.map((edge) => edge.node),
  totalCount: (parent: { totalCount: () => Promise<number | null> }) => parent.totalCount(),
};

export const connectionTypes: Pick<
  Resolvers,
  'LedgerConnection' | 'AccountConnection' | 'BalanceConnection' | 'BalanceHistoryConnection'
> = {
  LedgerConnection: connection,
  AccountConnection: connection,
  BalanceConnection: connection,
  BalanceHistoryConnection: connection,
};
