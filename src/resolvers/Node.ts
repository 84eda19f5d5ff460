import type { GatewayContext } from '../context.ts';
import { NotFoundError } from '../errors.ts';
import type { NodeResolvers } from '../generated/resolvers.ts';
import type { AccountModel, BalanceModel, LedgerModel, SourceModel } from './models.ts';
import { connectorOf } from './helpers.ts';
import type { NodeRef } from './ids.ts';

export type NodeModel = SourceModel | LedgerModel | AccountModel | BalanceModel;

/** Loads any Node from its decoded ID through the request's loaders; NOT_FOUND when it does not exist. */
export async function loadNode(context: GatewayContext, ref: NodeRef): Promise<NodeModel> {
  switch (ref.type) {
    case 'Source':
      return connectorOf(context, ref.source);
    case 'Ledger':
      return context.loaders.ledgers.load(ref);
    case 'Account':
      return context.loaders.accounts.load(ref);
    case 'Balance':
      return loadBalance(context, ref);
  }
}

export async function loadBalance(
  context: GatewayContext,
  ref: Extract<NodeRef, { type: 'Balance' }>,
): Promise<BalanceModel> {
  const balances = await context.loaders.accountBalances.load(ref);
  const balance = balances.find((candidate) => candidate.balanceId === ref.balanceId);
  if (!balance) throw new NotFoundError(`balance "${ref.balanceId}" was not found`, { source: ref.source });
  return balance;
}

export const Node: NodeResolvers<GatewayContext> = {
  __resolveType(model) {
    if ('listLedgers' in model) return 'Source';
    if ('balanceId' in model) return 'Balance';
    if ('accountId' in model) return 'Account';
    return 'Ledger';
  },
};
