import type { BalanceResolvers } from '../generated/resolvers.ts';
import { freshnessOf } from '../providers/read-freshness.ts';
import { balanceGlobalId } from './ids.ts';

// The fields a model holds under their own name (a balance's asset and amounts, and every field of
// a Money, whose `amount` is a getter of money.ts) have no resolver here: the default one reads
// the property, which compiled execution (plugins/compiled-execution.ts) inlines, where a resolver
// of ours would make it build a resolve info for every call.
export const Balance: BalanceResolvers = {
  id: (balance) => balanceGlobalId(balance),
  account: (balance, _, context) => context.loaders.accounts.load(balance),
  // A balance no vendor answer was mapped into (none today) counts as read now.
  observedAt: (balance) => new Date(freshnessOf(balance)?.observedAt ?? Date.now()).toISOString(),
  stale: (balance) => freshnessOf(balance)?.stale ?? false,
};
