import { BadUserInputError, NotFoundError, UnsupportedBySourceError } from '../errors.ts';
import type { AccountResolvers, HistoryInterval } from '../generated/resolvers.ts';
import { money } from '../money.ts';
import type { HistoryPointModel } from '../providers/types.ts';
import { resolveConnection } from './connections.ts';
import { connectorOf } from './helpers.ts';
import { accountGlobalId } from './ids.ts';

const INTERVAL_MS: Record<HistoryInterval, number> = { HOUR: 3_600_000, DAY: 86_400_000, WEEK: 604_800_000 };
const MAX_HISTORY_POINTS = 1001;
const HISTORY_PAGE = 100;

export const Account: AccountResolvers = {
  id: (account) => accountGlobalId(account),
  address: (account) => account.address,
  name: (account) => account.name,
  ledger: (account, _, context) => context.loaders.ledgers.load(account),
  source: (account, _, context) => connectorOf(context, account.source),
  metadata: (account) => account.metadata,
  balances: async (account, { asset }, context) => {
    // Some vendors' account reads carry every balance already (Blnk, Ledger Enterprise pages).
    const balances = account.balances ?? (await context.loaders.accountBalances.load(account));
    return asset ? balances.filter((balance) => balance.asset === asset) : [...balances];
  },
  history: (account, { asset, from, to, interval, ...args }, context) => {
    const connector = connectorOf(context, account.source);
    if (!connector.getHistory) {
      throw new UnsupportedBySourceError(`source "${connector.name}" (${connector.kind}) cannot tell past balances`, { source: connector.name });
    }
    const step = INTERVAL_MS[interval ?? 'DAY'];
    const start = Date.parse(from);
    const end = Date.parse(to);
    if (start > end) throw new BadUserInputError('"from" must not be after "to"');
    const count = Math.floor((end - start) / step) + 1;
    if (count > MAX_HISTORY_POINTS) throw new BadUserInputError(`the window holds ${count} points; narrow it or widen "interval" (at most ${MAX_HISTORY_POINTS - 1} intervals)`);
    const instants = Array.from({ length: count }, (_, index) => new Date(start + index * step).toISOString());

    const zeroAt = async (at: string): Promise<HistoryPointModel> => {
      // Before its first movement an account held nothing: a zero in the asset's scale.
      const current = (await context.loaders.accountBalances.load(account)).find((balance) => balance.asset === asset);
      if (!current) throw new NotFoundError(`account "${account.address}" holds no ${asset} balance`, { source: account.source });
      return { at, balance: money(0n, current.total.scale, current.total.asset) };
    };
    const list = {
      paging: 'offset' as const,
      maxLimit: HISTORY_PAGE,
      length: count,
      async fetchRange(offset: number, limit: number) {
        const at = instants.slice(offset, offset + limit);
        if (at.length === 0) return [];
        const points = await context.loaders.history.load({ source: account.source, account, asset, at });
        const byInstant = new Map(points.map((point) => [Date.parse(point.at), point]));
        return Promise.all(at.map((instant) => byInstant.get(Date.parse(instant)) ?? zeroAt(instant)));
      },
    };
    const key = `Account.history:${accountGlobalId(account)}:${JSON.stringify([asset, instants[0], count, step])}`;
    return resolveConnection(context, list, args, key);
  },
};
