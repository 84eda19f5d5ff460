import type { BalanceResolvers, MoneyResolvers } from '../generated/resolvers.ts';
import { formatDecimal } from '../money.ts';
import { freshnessOf } from '../providers/read-freshness.ts';
import { balanceGlobalId } from './ids.ts';

// The fields a model holds under their own name (a balance's asset and amounts, a Money's
// minorUnits, scale and asset) have no resolver here: the default one reads the property, which
// compiled execution (plugins/compiled-execution.ts) inlines, where a resolver of ours would make
// it build a resolve info for every call.
export const Balance: BalanceResolvers = {
  id: (balance) => balanceGlobalId(balance),
  account: (balance, _, context) => context.loaders.accounts.load(balance),
  // A balance no vendor answer was mapped into (none today) counts as read now.
  observedAt: (balance) => new Date(freshnessOf(balance)?.observedAt ?? Date.now()).toISOString(),
  stale: (balance) => freshnessOf(balance)?.stale ?? false,
};

export const Money: MoneyResolvers = {
  amount: (value) => formatDecimal(value.minorUnits, value.scale),
};
