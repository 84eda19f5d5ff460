import { BadUserInputError, NotFoundError } from '../errors.ts';
import { money } from '../money.ts';
import type { GatewayContext } from '../context.ts';
import type { AccountModel, HistoryPointModel } from '../providers/types.ts';
import { RelayInputError } from '../relay/errors.ts';
import { type HistoryWindow, windowInstants } from '../relay/history-window.ts';
import type { VendorList } from '../relay/sequence.ts';

const HISTORY_PAGE = 100;

/**
 * The instants of a history window (relay/history-window.ts); a window it refuses (reversed,
 * oversized, in the future) is BAD_USER_INPUT, before any vendor call.
 */
export function historyInstants(window: HistoryWindow, now?: number): string[] {
  try {
    return windowInstants(window, now);
  } catch (error) {
    if (error instanceof RelayInputError) throw new BadUserInputError(error.message);
    throw error;
  }
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
