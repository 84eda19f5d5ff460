import { BadUserInputError, NotFoundError, UnsupportedBySourceError } from '../../errors.ts';
import { money } from '../../money.ts';
import { mapWithConcurrency } from '../concurrency.ts';
import type { HistoryPointModel, HistoryRequest } from '../types.ts';
import type { FormanceApi } from './api.ts';
import {
  accountNotFound,
  checkReply,
  isFormanceAddress,
  MissingMovesHistory,
  readAccountsIn,
  type FormanceLookupContext,
} from './lookup.ts';
import { isFormanceLedgerName, ledgerNotFound } from './facts.ts';
import { mapFormanceAsset, readFormanceVolumesRow } from './map.ts';
import { FORMANCE_PAGE_SIZE, readFormanceCursor } from './paging.ts';

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

/** Go's zero `time.Time`: the server reads an `endTime` holding it as no date at all (`UsePIT`), i.e. today. */
const GO_ZERO_TIME_MS = -62_135_596_800_000;

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:[.,](\d+))?([Zz]|[+-]\d{2}:\d{2})$/;

/** The instant of a point before anything can have moved: no call, no point. */
const BEFORE_EVERYTHING = Symbol('before everything');

/**
 * The `endTime` for an ISO 8601 instant: RFC 3339 in UTC (Go parses it with `time.RFC3339Nano`),
 * fraction cut to microseconds. The ledger rounds to the microsecond, and its dates are
 * microsecond-precise, so "moves at or before T" is exactly "at or before T cut to microseconds".
 * The canonical form also makes `…+01:00` and the same instant in `Z` one call.
 */
export function formanceEndTime(at: string): string | typeof BEFORE_EVERYTHING | null {
  const match = RFC3339.exec(at);
  let millis: number;
  let micros: string;
  if (match) {
    const [, day, time, fraction = '', zone = 'Z'] = match as unknown as [
      string,
      string,
      string,
      string | undefined,
      string,
    ];
    const local = Date.parse(`${day}T${time}Z`);
    // Date.parse rolls 2025-02-30 over to March; Go refuses it.
    if (Number.isNaN(local) || new Date(local).toISOString().slice(0, 19) !== `${day}T${time}`) return null;
    millis = Date.parse(`${day}T${time}${zone.toUpperCase()}`);
    micros = fraction.slice(0, 6).padEnd(6, '0');
  } else {
    // Other ISO 8601 forms (`2025-01-01`, `2025-01-01T00:00`) as JavaScript reads them.
    const parsed = Date.parse(at);
    const fraction = ((parsed % 1000) + 1000) % 1000;
    millis = parsed - fraction;
    micros = `${String(fraction).padStart(3, '0')}000`;
  }
  if (Number.isNaN(millis)) return null;
  const digits = micros.replace(/0+$/, '');
  if (millis < GO_ZERO_TIME_MS || (millis === GO_ZERO_TIME_MS && digits === '')) return BEFORE_EVERYTHING;
  const text = new Date(millis).toISOString();
  if (!/^\d{4}-/.test(text)) return null; // past year 9999: not RFC 3339
  return `${text.slice(0, 19)}${digits ? `.${digits}` : ''}Z`;
}

interface Plan {
  readonly index: number;
  readonly address: string;
  readonly asset: string;
  /** Per requested instant: its `endTime`, or BEFORE_EVERYTHING. */
  readonly endTimes: ReadonlyArray<string | typeof BEFORE_EVERYTHING>;
}

/** Closing balances at one instant: address → Formance asset code (`USD/2`) → balance. */
type Closing = Map<string, Map<string, bigint>>;

/** One ledger's part of a batch. */
interface LedgerWork {
  readonly ledgerId: string;
  readonly plans: Plan[];
  /** Per `endTime`. */
  readonly closing: Map<string, Closing>;
  /** `${endTime} ${address}` → what the call that asked it failed with. */
  readonly failed: Map<string, Error>;
  /** The ledger itself refused (unknown, no MOVES_HISTORY): every plan of it fails with this. */
  refused: Error | null;
}

interface Read {
  readonly ledger: LedgerWork;
  readonly endTime: string;
  readonly addresses: readonly string[];
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function unsupported(source: string, ledgerId: string): UnsupportedBySourceError {
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
    else if (known?.movesHistory === false) ledger.refused = unsupported(source, ledger.ledgerId);
  }

  const reads = ledgers.filter((ledger) => ledger.refused === null).flatMap(readsOf);
  const outcomes = await mapWithConcurrency(reads, HISTORY_CONCURRENCY, (read) => readClosing(api, read));
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
    ledger.refused = unsupported(source, ledger.ledgerId);
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

/** Groups the requests by ledger; a request that cannot be asked (bad ledger name, pattern, instant) gets its error now. */
function planLedgers(
  source: string,
  requests: readonly HistoryRequest[],
  results: Array<readonly HistoryPointModel[] | Error>,
): LedgerWork[] {
  const ledgers = new Map<string, LedgerWork>();
  for (const [index, request] of requests.entries()) {
    const { ledgerId, accountId } = request.account;
    if (!isFormanceLedgerName(ledgerId)) {
      results[index] = ledgerNotFound(source, ledgerId);
      continue;
    }
    // A pattern names no account, and `$in` would refuse it for every address of the call.
    if (!isFormanceAddress(accountId)) {
      results[index] = accountNotFound(source, request.account);
      continue;
    }
    const endTimes = request.at.map(formanceEndTime);
    const bad = request.at.find((_, position) => endTimes[position] === null);
    if (bad !== undefined) {
      results[index] = new BadUserInputError(`"${bad}" is not an ISO 8601 instant the source can read`, { source });
      continue;
    }
    let ledger = ledgers.get(ledgerId);
    if (!ledger) {
      ledger = { ledgerId, plans: [], closing: new Map(), failed: new Map(), refused: null };
      ledgers.set(ledgerId, ledger);
    }
    ledger.plans.push({ index, address: accountId, asset: request.asset, endTimes: endTimes as Plan['endTimes'] });
  }
  return [...ledgers.values()];
}

/** Each (instant, address) of a ledger once, whatever the number of requests that share it; 100 addresses a read. */
function readsOf(ledger: LedgerWork): Read[] {
  const wanted = new Map<string, Set<string>>();
  for (const plan of ledger.plans) {
    for (const endTime of plan.endTimes) {
      if (endTime !== BEFORE_EVERYTHING)
        wanted.set(endTime, (wanted.get(endTime) ?? new Set<string>()).add(plan.address));
    }
  }
  return [...wanted].flatMap(([endTime, set]) => {
    const addresses = [...set];
    const reads: Read[] = [];
    for (let start = 0; start < addresses.length; start += FORMANCE_PAGE_SIZE)
      reads.push({ ledger, endTime, addresses: addresses.slice(start, start + FORMANCE_PAGE_SIZE) });
    return reads;
  });
}

/** The closing volumes at `endTime` of up to 100 addresses: the first page with the filter, then the vendor cursor alone. */
async function readClosing(api: FormanceApi, { ledger, endTime, addresses }: Read): Promise<void> {
  const rows: Closing = ledger.closing.get(endTime) ?? new Map();
  ledger.closing.set(endTime, rows);
  let query: Record<string, string | number> = {
    endTime,
    pageSize: FORMANCE_PAGE_SIZE,
    query: JSON.stringify({ $in: { address: addresses } }),
  };
  for (;;) {
    if (ledger.refused) throw ledger.refused; // the ledger already refused another read: spare it this one
    const reply = await api.get(`/v2/${ledger.ledgerId}/volumes`, query, [400, 404]);
    checkReply(api, ledger.ledgerId, reply);
    const page = api.decode(() => readFormanceCursor(reply.body));
    for (const item of page.data) {
      const row = api.decode(() => readFormanceVolumesRow(item));
      const balances = rows.get(row.address) ?? new Map<string, bigint>();
      balances.set(row.code, row.balance);
      rows.set(row.address, balances);
    }
    if (page.next === null) return;
    query = { cursor: page.next };
  }
}

function failureOf(ledger: LedgerWork, plan: Plan): Error | undefined {
  return plan.endTimes
    .map((endTime) => (endTime === BEFORE_EVERYTHING ? undefined : ledger.failed.get(`${endTime} ${plan.address}`)))
    .find(Boolean);
}

function seen(ledger: LedgerWork, address: string): boolean {
  for (const rows of ledger.closing.values()) if (rows.has(address)) return true;
  return false;
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
