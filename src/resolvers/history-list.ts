import { BadUserInputError, NotFoundError } from '../errors.ts';
import type { HistoryInterval } from '../generated/resolvers.ts';
import { money } from '../money.ts';
import type { GatewayContext } from '../context.ts';
import type { AccountModel, HistoryPointModel } from '../providers/types.ts';
import type { VendorList } from '../relay/sequence.ts';

const INTERVAL_MS: Record<HistoryInterval, number> = { HOUR: 3_600_000, DAY: 86_400_000, WEEK: 604_800_000 };
const MAX_HISTORY_POINTS = 1001;
const HISTORY_PAGE = 100;
/** Clock skew allowed between a client's "now" and the gateway's. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

export interface HistoryWindow {
  readonly asset: string;
  readonly from: string;
  readonly to: string;
  readonly interval: HistoryInterval;
}

/**
 * The instants of a history window, `from` to `to` by `interval`. A reversed or oversized window,
 * or one reaching into the future, is BAD_USER_INPUT: no vendor knows a future balance, and the
 * gateway never makes one up. A `to` a few minutes ahead (clock skew) is read as now.
 */
export function historyInstants(window: HistoryWindow, now = Date.now()): string[] {
  const step = INTERVAL_MS[window.interval];
  const start = Date.parse(window.from);
  const requestedEnd = Date.parse(window.to);
  if (start > requestedEnd) throw new BadUserInputError('"from" must not be after "to"');
  if (requestedEnd > now + FUTURE_TOLERANCE_MS) throw new BadUserInputError('"to" must not be in the future');
  const end = Math.min(requestedEnd, now);
  if (start > end) throw new BadUserInputError('"from" must not be in the future');
  const count = Math.floor((end - start) / step) + 1;
  if (count > MAX_HISTORY_POINTS)
    throw new BadUserInputError(
      `the window holds ${count} points; narrow it or widen "interval" (at most ${MAX_HISTORY_POINTS - 1} intervals)`,
    );
  return Array.from({ length: count }, (_, index) => new Date(start + index * step).toISOString());
}

/**
 * A balance history as a list of known length: one point per instant, read through the request's
 * history loader a page at a time. An instant the vendor has no point for came before the
 * account's first movement, when it held nothing: a zero in the asset's scale.
 */
export function historyList(
  context: GatewayContext,
  account: AccountModel,
  asset: string,
  instants: readonly string[],
): VendorList<HistoryPointModel> {
  const zeroAt = async (at: string): Promise<HistoryPointModel> => {
    const current = (account.balances ?? (await context.loaders.accountBalances.load(account))).find(
      (balance) => balance.asset === asset,
    );
    if (!current)
      throw new NotFoundError(`account "${account.address}" holds no ${asset} balance`, { source: account.source });
    return { at, balance: money(0n, current.total.scale, current.total.asset) };
  };
  return {
    paging: 'offset',
    maxLimit: HISTORY_PAGE,
    length: instants.length,
    async fetchRange(offset, limit) {
      const at = instants.slice(offset, offset + limit);
      if (at.length === 0) return [];
      const points = await context.loaders.history.load({ source: account.source, account, asset, at });
      const byInstant = new Map(points.map((point) => [Date.parse(point.at), point]));
      return Promise.all(at.map((instant) => byInstant.get(Date.parse(instant)) ?? zeroAt(instant)));
    },
  };
}
