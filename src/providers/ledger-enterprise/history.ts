import { BadUserInputError, NotFoundError, UnsupportedBySourceError } from '../../errors.ts';
import { money } from '../../money.ts';
import { readArray, readObject, readString, VendorShapeError } from '../json.ts';
import type { HistoryPointModel, HistoryRequest } from '../types.ts';
import { readAccountById } from './lookup.ts';
import { readAmount, readMagnitude } from './map.ts';
import { mapWithConcurrency } from '../concurrency.ts';
import { accountNotFound, isAskable, type VaultContext } from './facts.ts';
import { historyCacheKind } from '../closed-day.ts';

/**
 * Balance history: one `GET /accounts/{id}/balances/history?start&end` per request, from its first
 * instant to its last (both always sent: the spec's defaults are "now"). The balance at an instant
 * is the last vendor point at or before it; an instant before the first point has none, and the
 * resolver answers zero there. 501 means the account's currency has no history at the Vault.
 */

const INSTANT = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * An ISO 8601 instant in epoch microseconds: the Vault writes Python `isoformat()` dates with six
 * fraction digits, which a `Date` would cut to milliseconds. No zone is read as UTC only when
 * `naiveIsUtc` (vendor dates); a caller's instant must carry one.
 */
export function instantMicros(text: string, naiveIsUtc = false): number | null {
  const match = INSTANT.exec(text);
  if (!match || (!match[4] && !naiveIsUtc)) return null;
  const [, date, time, fraction = '', zone = 'Z'] = match;
  const offset = zone.toUpperCase() === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const millis = Date.parse(`${date}T${time}${offset}`);
  return Number.isNaN(millis) ? null : millis * 1000 + Number(fraction.slice(0, 6).padEnd(6, '0'));
}

interface Plan {
  readonly accountId: string;
  readonly micros: readonly number[];
}

function planFor(context: VaultContext, request: HistoryRequest): Plan | Error | null {
  if (!isAskable(context, request.account)) return accountNotFound(context, request.account.accountId);
  if (request.at.length === 0) return null;
  const micros: number[] = [];
  for (const at of request.at) {
    const value = instantMicros(at);
    if (value === null) return new BadUserInputError(`"${at}" is not an ISO 8601 instant with a time zone`);
    micros.push(value);
  }
  return { accountId: request.account.accountId, micros };
}

interface VaultPoint {
  readonly micros: number;
  readonly value: bigint;
}

/** `AccountBalancesHistory`: points in time order (null values, dates without a reading, are dropped) and the currency's magnitude. */
function readHistoryBody(body: unknown): { points: VaultPoint[]; magnitude: number } {
  const history = readObject(body, 'balance history');
  const points: VaultPoint[] = [];
  for (const entry of readArray(history.balances, 'balance history balances')) {
    const point = readObject(entry, 'balance history entry');
    const date = readString(point.date, 'balance history date');
    const micros = instantMicros(date, true);
    if (micros === null) throw new VendorShapeError('balance history date is not an ISO 8601 date-time');
    if (point.value !== undefined && point.value !== null)
      points.push({ micros, value: readAmount(point.value, 'balance history value') });
  }
  points.sort((a, b) => a.micros - b.micros);
  return {
    points,
    magnitude: readMagnitude(readObject(history.currency, 'balance history currency').magnitude, 'currency magnitude'),
  };
}

/** The last point at or before an instant (points in time order), by binary search. */
function lastAtOrBefore(points: readonly VaultPoint[], micros: number): VaultPoint | undefined {
  let low = 0;
  let high = points.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((points[middle] as VaultPoint).micros <= micros) low = middle + 1;
    else high = middle;
  }
  return points[low - 1];
}

async function readHistory(
  context: VaultContext,
  request: HistoryRequest,
  plan: Plan,
  asset: string,
): Promise<HistoryPointModel[]> {
  const response = await context.client.json({
    method: 'GET',
    path: `/accounts/${plan.accountId}/balances/history`,
    query: { start: request.at[0], end: request.at.at(-1) },
    ...historyCacheKind(request.at.at(-1)),
    accept: [404, 501],
  });
  if (response.status === 404) throw accountNotFound(context, plan.accountId);
  if (response.status === 501) {
    throw new UnsupportedBySourceError(`source "${context.source}" keeps no balance history for ${asset} accounts`, {
      source: context.source,
    });
  }
  const { points, magnitude } = context.client.decode(() => readHistoryBody(response.body));
  context.scales.remember(asset, magnitude);
  const result: HistoryPointModel[] = [];
  request.at.forEach((at, index) => {
    const point = lastAtOrBefore(points, plan.micros[index] as number);
    if (point) result.push({ at, balance: money(point.value, magnitude, asset) });
  });
  return result;
}

/**
 * Answers each request in order. The account's asset must be the one asked for; it is known from
 * any earlier read of the account (the resolver reaches history through one), else read first.
 */
export async function getVaultHistory(
  context: VaultContext,
  requests: readonly HistoryRequest[],
): Promise<Array<readonly HistoryPointModel[] | Error>> {
  const plans = requests.map((request) => planFor(context, request));
  const unknown = [
    ...new Set(
      plans.flatMap((plan) =>
        plan && !(plan instanceof Error) && !context.facts.get(plan.accountId) ? [plan.accountId] : [],
      ),
    ),
  ];
  const reads = await mapWithConcurrency(unknown, context.concurrency, (accountId) =>
    readAccountById(context, accountId),
  );
  const readErrors = new Map(
    unknown.flatMap((accountId, index) => (reads[index] instanceof Error ? [[accountId, reads[index] as Error]] : [])),
  );
  return mapWithConcurrency(
    requests.map((request, index) => ({ request, plan: plans[index] })),
    context.concurrency,
    async ({ request, plan }) => {
      if (plan === null || plan === undefined) return [];
      if (plan instanceof Error) throw plan;
      const failure = readErrors.get(plan.accountId);
      if (failure) throw failure;
      const facts = context.facts.get(plan.accountId);
      if (!facts) throw accountNotFound(context, plan.accountId);
      if (facts.asset !== request.asset) {
        throw new NotFoundError(
          `account "${plan.accountId}" of source "${context.source}" holds no ${request.asset} balance`,
          { source: context.source },
        );
      }
      return readHistory(context, request, plan, facts.asset);
    },
  );
}
