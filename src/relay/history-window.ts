import { RelayInputError } from './errors.ts';

/**
 * The spacing of history points: the schema's `HistoryInterval`. Account.ts passes the generated
 * type in, so tsc refuses a schema value this module does not know.
 */
export type HistoryInterval = 'HOUR' | 'DAY' | 'WEEK';

const INTERVAL_MS: Record<HistoryInterval, number> = { HOUR: 3_600_000, DAY: 86_400_000, WEEK: 604_800_000 };
/** At most 1,000 intervals, so 1,001 points. */
const MAX_HISTORY_POINTS = 1001;
/** Clock skew allowed between a client's "now" and the gateway's. */
const FUTURE_TOLERANCE_MS = 5 * 60_000;

/** `Account.history`'s window arguments. */
export interface HistoryWindow {
  readonly asset: string;
  readonly from: string;
  readonly to: string;
  readonly interval: HistoryInterval;
}

/**
 * The instants of a history window, `from` to `to` by `interval`: the list `Account.history` pages
 * over, and what the cost estimate counts before execution. A reversed or oversized window, or one
 * reaching into the future, is a RelayInputError: no vendor knows a future balance, and the gateway
 * never makes one up. A `to` a few minutes ahead (clock skew) is read as now.
 */
export function windowInstants(window: HistoryWindow, now = Date.now()): string[] {
  const step = INTERVAL_MS[window.interval];
  const start = Date.parse(window.from);
  const requestedEnd = Date.parse(window.to);
  if (start > requestedEnd) throw new RelayInputError('"from" must not be after "to"');
  if (requestedEnd > now + FUTURE_TOLERANCE_MS) throw new RelayInputError('"to" must not be in the future');
  const end = Math.min(requestedEnd, now);
  if (start > end) throw new RelayInputError('"from" must not be in the future');
  const count = Math.floor((end - start) / step) + 1;
  if (count > MAX_HISTORY_POINTS)
    throw new RelayInputError(
      `the window holds ${count} points; narrow it or widen "interval" (at most ${MAX_HISTORY_POINTS - 1} intervals)`,
    );
  return Array.from({ length: count }, (_, index) => new Date(start + index * step).toISOString());
}
