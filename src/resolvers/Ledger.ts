import type { LedgerResolvers } from '../generated/resolvers.ts';
import { methodFor } from '../providers/capabilities.ts';
import { filterKey, resolveConnection } from './connections.ts';
import { connectorOf } from './helpers.ts';
import { ledgerGlobalId } from './ids.ts';
import { ledgerBalances, takeBalancesRead } from './ledger-balances.ts';

export const Ledger: LedgerResolvers = {
  id: (ledger) => ledgerGlobalId(ledger),
  source: (ledger, _, context) => connectorOf(context, ledger.source),
  accounts: async (ledger, { filter, ...args }, context) => {
    const connector = connectorOf(context, ledger.source);
    const connection = await resolveConnection(
      context,
      connector.listAccounts(ledger, filter ?? {}),
      args,
      `Ledger.accounts:${ledgerGlobalId(ledger)}:${filterKey(filter)}`,
    );
    // Accounts (and balances) read in a list need no second call when the same request asks for them again.
    // Applied when first needed (SourceLoader.primeLater): most queries never read them again.
    context.loaders.accounts.primeLater(connection.edges, ({ node }, prime) => prime(node, node));
    context.loaders.accountBalances.primeLater(connection.edges, ({ node }, prime) => {
      if (node.balances) prime(node, node.balances);
    });
    return connection;
  },
  // Query.ledger may have read the page already, to learn that the ledger exists (ledger-balances.ts).
  balances: (ledger, args, context) => takeBalancesRead(ledger) ?? ledgerBalances(context, ledger, args),
  aggregatedBalances: (ledger, { address, asset }, context) =>
    methodFor(connectorOf(context, ledger.source), 'AGGREGATED_BALANCES')(ledger, { address, asset }),
};
