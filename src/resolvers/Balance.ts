import type { BalanceResolvers, MoneyResolvers } from '../generated/resolvers.ts';
import { formatDecimal } from '../money.ts';
import { freshnessOf } from '../providers/read-freshness.ts';
import { balanceGlobalId } from './ids.ts';

export const Balance: BalanceResolvers = {
  id: (balance) => balanceGlobalId(balance),
  asset: (balance) => balance.asset,
  account: (balance, _, context) => context.loaders.accounts.load(balance),
  available: (balance) => balance.available,
  pending: (balance) => balance.pending,
  total: (balance) => balance.total,
  credits: (balance) => balance.credits,
  debits: (balance) => balance.debits,
  updatedAt: (balance) => balance.updatedAt,
  // A balance no vendor answer was mapped into (none today) counts as read now.
  observedAt: (balance) => new Date(freshnessOf(balance)?.observedAt ?? Date.now()).toISOString(),
  stale: (balance) => freshnessOf(balance)?.stale ?? false,
};

export const Money: MoneyResolvers = {
  amount: (value) => formatDecimal(value.minorUnits, value.scale),
  minorUnits: (value) => value.minorUnits,
  scale: (value) => value.scale,
  asset: (value) => value.asset,
};
