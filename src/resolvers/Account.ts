import type { AccountResolvers } from '../generated/resolvers.ts';
import { requireCapability } from '../providers/capabilities.ts';
import { resolveConnection } from './connections.ts';
import { connectorOf } from './helpers.ts';
import { historyInstants, historyList } from './history-list.ts';
import { accountGlobalId } from './ids.ts';
import type { BalanceModel } from './models.ts';

export const Account: AccountResolvers = {
  id: (account) => accountGlobalId(account),
  ledger: (account, _, context) => context.loaders.ledgers.load(account),
  source: (account, _, context) => connectorOf(context, account.source),
  balances: async (account, { asset }, context) => {
    // Some vendors' account reads carry every balance already (Blnk, Ledger Enterprise pages).
    const balances = account.balances ?? (await context.loaders.accountBalances.load(account));
    // graphql-js only reads a list: the (frozen, shared) array itself, no copy per account.
    return asset ? balances.filter((balance) => balance.asset === asset) : (balances as BalanceModel[]);
  },
  history: (account, { asset, from, to, interval, ...args }, context) => {
    // Before the window is read: a source without history fails the field whatever the window.
    requireCapability(connectorOf(context, account.source), 'HISTORY');
    const instants = historyInstants({ asset, from, to, interval: interval ?? 'DAY' });
    const key = `Account.history:${accountGlobalId(account)}:${JSON.stringify([asset, instants[0], instants.length, interval ?? 'DAY'])}`;
    return resolveConnection(context, historyList(context, account, asset, instants), args, key);
  },
};
