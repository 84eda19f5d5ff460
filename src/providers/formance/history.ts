import { NotFoundError, UnsupportedBySourceError } from '../../errors.ts';
import { money } from '../../money.ts';
import { mapWithConcurrency } from '../concurrency.ts';
import type { HistoryPointModel, HistoryRequest } from '../types.ts';
import type { FormanceApi } from './api.ts';
import {
  BEFORE_EVERYTHING,
  failureOf,
  planLedgers,
  readsOf,
  seen,
  type Closing,
  type Plan,
  type Read,
} from './history-plan.ts';
import {
  accountNotFound,
  checkReply,
  MissingMovesHistory,
  readAccountsIn,
  type FormanceLookupContext,
} from './lookup.ts';
import { followPages } from '../walks.ts';
import { historyCacheKind } from '../closed-day.ts';
import { mapFormanceAsset, readFormanceLookupPage, readFormanceVolumesRow } from './map.ts';
import { FORMANCE_PAGE_SIZE, rowKey } from './paging.ts';

/**
 * Point-in-time balances through `GET /v2/{ledger}/volumes?endTime=T`: the closing volumes of every
 * (account, asset) at T, summed from the ledger's moves with `effective_date <= T` (ledger v2.4.6
 * internal/storage/ledger/resource_volumes.go; effective date unless `insertionDate=true`, so a
 * back-dated transaction counts from its own timestamp). One call, plus pages, answers every
 * account of a ledger asked at that instant, so a batch costs one call per (ledger, instant), 100
 * addresses a call, under one concurrency cap. Dated reads need the ledger feature MOVES_HISTORY=ON.
 */

/** Most ledger calls in flight at once for one batch, whatever its number of requests and instants. */
export const HISTORY_CONCURRENCY = 8;

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function movesHistoryOff(source: string, ledgerId: string): UnsupportedBySourceError {
  return new UnsupportedBySourceError(
    `source "${source}" cannot tell past balances of ledger "${ledgerId}": its MOVES_HISTORY feature is off`,
    { source },
  );
}

/**
 * Point-in-time balances, batch-first, in three capped rounds: the facts of each ledger not known
 * yet (existence, MOVES_HISTORY), one dated read per (ledger, instant, 100 addresses), then one
 * account read per ledger for the addresses no row named, to tell "not moved yet" from "no such account".
 */
export async function getFormanceHistory(
  context: FormanceLookupContext,
  requests: readonly HistoryRequest[],
): Promise<Array<readonly HistoryPointModel[] | Error>> {
  const { api, directory } = context;
  const source = api.source;
  const results: Array<readonly HistoryPointModel[] | Error> = requests.map(() => []);
  const ledgers = planLedgers(source, requests, results);

  // `GET /v2/{ledger}`, once a minute per ledger: without MOVES_HISTORY every dated read would be a 400.
  const unknown = ledgers.filter((ledger) => directory.knownMovesHistory(ledger.ledgerId) === null);
  const facts = await mapWithConcurrency(unknown, HISTORY_CONCURRENCY, (ledger) => directory.facts(ledger.ledgerId));
  const factsOf = new Map(unknown.map((ledger, position) => [ledger, facts[position]]));
  for (const ledger of ledgers) {
    const known = factsOf.get(ledger) ?? { movesHistory: directory.knownMovesHistory(ledger.ledgerId) };
    if (known instanceof Error) ledger.refused = known;
    else if (known?.movesHistory === false) ledger.refused = movesHistoryOff(source, ledger.ledgerId);
  }

  const reads = ledgers.filter((ledger) => ledger.refused === null).flatMap(readsOf);
  const outcomes = await mapWithConcurrency(reads, HISTORY_CONCURRENCY, (read) => readClosing(context, read));
  outcomes.forEach((outcome, position) => {
    if (!(outcome instanceof Error)) return;
    const { ledger, endTime, addresses } = reads[position] as Read;
    if (outcome instanceof MissingMovesHistory || outcome instanceof NotFoundError) ledger.refused ??= outcome;
    for (const address of addresses) ledger.failed.set(`${endTime} ${address}`, outcome);
  });
  for (const ledger of ledgers) {
    if (!(ledger.refused instanceof MissingMovesHistory)) continue;
    // The ledger was created again without the feature since its facts were read: remember the refusal.
    directory.recordNoMovesHistory(ledger.ledgerId);
    ledger.refused = movesHistoryOff(source, ledger.ledgerId);
  }

  // No row at any instant read: the account had not moved yet, or it does not exist. One account read tells.
  const pending = ledgers
    .filter((ledger) => ledger.refused === null)
    .map((ledger) => ({ ledger, plans: ledger.plans.filter((plan) => !failureOf(ledger, plan)) }));
  const unseen = pending
    .map(({ ledger, plans }) => ({
      ledger,
      addresses: [...new Set(plans.map((plan) => plan.address).filter((address) => !seen(ledger, address)))],
    }))
    .filter((check) => check.addresses.length > 0);
  const found = await mapWithConcurrency(
    unseen,
    HISTORY_CONCURRENCY,
    async (check) => new Set((await readAccountsIn(context, check.ledger.ledgerId, check.addresses, false)).keys()),
  );
  const existing = new Map(unseen.map((check, position) => [check.ledger, found[position] as Set<string> | Error]));

  for (const ledger of ledgers) {
    for (const plan of ledger.plans) {
      const request = requests[plan.index] as HistoryRequest;
      const failure = ledger.refused ?? failureOf(ledger, plan);
      if (failure) {
        results[plan.index] = failure;
      } else if (!seen(ledger, plan.address)) {
        // An account that exists but had not moved by the instants asked has no point yet.
        const accounts = existing.get(ledger) ?? new Set<string>();
        results[plan.index] =
          accounts instanceof Error
            ? accounts
            : accounts.has(plan.address)
              ? []
              : accountNotFound(source, request.account);
      } else {
        try {
          results[plan.index] = pointsOf(api, plan, request.at, ledger.closing);
        } catch (error) {
          results[plan.index] = toError(error);
        }
      }
    }
  }
  return results;
}

/** The closing volumes at `endTime` of up to 100 addresses: the first page with the filter, then the vendor cursor alone (one walk). */
async function readClosing(context: FormanceLookupContext, { ledger, endTime, addresses }: Read): Promise<void> {
  const { api } = context;
  const rows: Closing = ledger.closing.get(endTime) ?? new Map();
  ledger.closing.set(endTime, rows);
  const first = { endTime, pageSize: FORMANCE_PAGE_SIZE, query: JSON.stringify({ $in: { address: addresses } }) };
  await followPages(context.walk, rowKey, async (cursor) => {
    if (ledger.refused) throw ledger.refused; // the ledger already refused another read: spare it this one
    const reply = await api.get(`/v2/${ledger.ledgerId}/volumes`, cursor === null ? first : { cursor }, [400, 404], {
      // The closing volumes of a day before today: kept `historyTtlMs` by the source's read cache.
      ...historyCacheKind(endTime),
    });
    checkReply(api, ledger.ledgerId, reply);
    // Checked against this read's own addresses, which its query names (or its cursor embeds): once per vendor answer.
    const page = reply.read('closing', (body) => {
      const read = readFormanceLookupPage(body, '/volumes', addresses);
      return { data: read.data, next: read.next, rows: read.data.map(readFormanceVolumesRow) };
    });
    for (const row of page.rows) {
      const balances = rows.get(row.address) ?? new Map<string, bigint>();
      balances.set(row.code, row.balance);
      rows.set(row.address, balances);
    }
    return { records: page.data, next: page.next };
  });
}

/**
 * The points of one request: its asset's balance at each instant where the account had moved it.
 * A code held at several scales (`USD/2` and `USD/4`) is one series, the first code in byte order,
 * as the account's balance list comes first with it.
 */
function pointsOf(
  api: FormanceApi,
  plan: Plan,
  at: readonly string[],
  closing: ReadonlyMap<string, Closing>,
): HistoryPointModel[] {
  const balancesAt = plan.endTimes.map((endTime) =>
    endTime === BEFORE_EVERYTHING ? undefined : closing.get(endTime)?.get(plan.address),
  );
  const codes = new Set(
    balancesAt
      .flatMap((balances) => [...(balances?.keys() ?? [])])
      .filter((code) => code === plan.asset || code.startsWith(`${plan.asset}/`)),
  );
  const code = [...codes].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))[0];
  if (code === undefined) return [];
  const { asset, scale } = api.decode(() => mapFormanceAsset(code));
  return balancesAt.flatMap((balances, position) => {
    const balance = balances?.get(code);
    return balance === undefined ? [] : [{ at: at[position] as string, balance: money(balance, scale, asset) }];
  });
}
