import { BadUserInputError, NotFoundError, sourceErrorForStatus } from '../../errors.ts';
import { money } from '../../money.ts';
import type { HttpClient } from '../http/index.ts';
import { readInteger, readString } from '../json.ts';
import type { HistoryPointModel, HistoryRequest } from '../types.ts';
import { balanceRecordFor, type Found } from './lookup.ts';
import { blnkScale, isBlnkNotFound, readBlnkBalanceAt, readBlnkErrorCode } from './map.ts';
import { mapWithConcurrency } from '../concurrency.ts';
import { historyCacheKind } from '../closed-day.ts';

/** Most `/at` reads in flight at once for one batch, whatever its number of requests and instants. */
export const HISTORY_CONCURRENCY = 8;

export interface HistoryContext {
  readonly client: HttpClient;
  readonly source: string;
  readonly scales: Readonly<Record<string, number>>;
  readonly lookup: (ids: readonly string[]) => Promise<Map<string, Found>>;
}

/** Go parses `timestamp` with `time.RFC3339` (fraction optional, zone required); other ISO 8601 forms are rewritten. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})$/;

function toRfc3339(at: string): string | null {
  if (RFC3339.test(at)) return at;
  const millis = Date.parse(at);
  return Number.isNaN(millis) ? null : new Date(millis).toISOString();
}

interface Plan {
  readonly balanceId: string;
  readonly asset: string;
  readonly scale: number;
  readonly instants: readonly string[];
}

function planFor(context: HistoryContext, request: HistoryRequest, found: ReadonlyMap<string, Found>): Plan | Error {
  const record = balanceRecordFor(context.source, request.account, found);
  if (record instanceof Error) return record;
  try {
    const currency = context.client.decode(() => readString(record.currency, 'balance currency'));
    // A Blnk account is one balance in one currency: any other asset has no history there.
    if (currency !== request.asset)
      return new NotFoundError(
        `account "${request.account.accountId}" of source "${context.source}" holds no ${request.asset} balance`,
        { source: context.source },
      );
    const instants: string[] = [];
    for (const at of request.at) {
      const instant = toRfc3339(at);
      if (instant === null) return new BadUserInputError(`"${at}" is not an ISO 8601 instant`);
      instants.push(instant);
    }
    return {
      balanceId: request.account.accountId,
      asset: currency,
      scale: blnkScale(context.source, record, currency, context.scales),
      instants,
    };
  } catch (error) {
    return error as Error;
  }
}

/** One `GET /balances/{id}/at`: the book balance at an instant, or null where the server has no data for it. */
async function readPoint(
  context: HistoryContext,
  plan: Plan,
  index: number,
  at: string,
): Promise<HistoryPointModel | null> {
  const response = await context.client.json({
    method: 'GET',
    path: `/balances/${encodeURIComponent(plan.balanceId)}/at`,
    query: { timestamp: plan.instants[index] },
    ...historyCacheKind(plan.instants[index]),
    accept: [400, 404],
  });
  if (response.status !== 200) {
    // No data at that instant (the catalogued answer for a time before the balance existed): the point is skipped, not an error.
    if (response.status === 404 && readBlnkErrorCode(response.body) === 'BAL_HISTORY_NOT_FOUND') return null;
    if (isBlnkNotFound(response.status, response.body, ['BAL_NOT_FOUND'])) {
      throw new NotFoundError(`account "${plan.balanceId}" was not found at source "${context.source}"`, {
        source: context.source,
      });
    }
    throw sourceErrorForStatus(context.source, response.status);
  }
  return context.client.decode(() => {
    const balance = readBlnkBalanceAt(response.body, plan.balanceId, plan.asset);
    return { at, balance: money(readInteger(balance.balance, 'historical balance'), plan.scale, plan.asset) };
  });
}

/**
 * Point-in-time balances. Blnk reads history one balance and one instant at a time, so the batch
 * first looks its balances up (existence, ledger, currency and scale in the fewest calls), then
 * fans the `/at` reads out under one concurrency cap. Points come back in the order asked.
 */
export async function getBlnkHistory(
  context: HistoryContext,
  requests: readonly HistoryRequest[],
): Promise<Array<readonly HistoryPointModel[] | Error>> {
  const found = await context.lookup(requests.map((request) => request.account.accountId));
  const plans = requests.map((request) => planFor(context, request, found));
  const tasks = plans.flatMap((plan, request) =>
    plan instanceof Error ? [] : plan.instants.map((_, index) => ({ request, plan, index })),
  );
  const failed = new Set<number>();
  const points = await mapWithConcurrency(tasks, HISTORY_CONCURRENCY, async ({ request, plan, index }) => {
    if (failed.has(request)) return null; // this request already failed: spare the server its other reads
    try {
      return await readPoint(context, plan, index, requests[request]?.at[index] ?? '');
    } catch (error) {
      failed.add(request);
      throw error;
    }
  });
  const results: Array<HistoryPointModel[] | Error> = plans.map((plan) => (plan instanceof Error ? plan : []));
  tasks.forEach((task, position) => {
    const slot = results[task.request];
    const point = points[position];
    if (slot === undefined || slot instanceof Error || point === null || point === undefined) return;
    if (point instanceof Error) results[task.request] = point;
    else slot.push(point);
  });
  return results;
}
