import { BadUserInputError } from '../../errors.ts';
import type { HistoryPointModel, HistoryRequest } from '../types.ts';
import { isFormanceLedgerName, ledgerNotFound } from './facts.ts';
import { accountNotFound, isFormanceAddress } from './lookup.ts';
import { FORMANCE_PAGE_SIZE } from './paging.ts';

/**
 * How a history batch becomes reads: each requested instant as the `endTime` the ledger parses,
 * the requests grouped by ledger, and one read per (ledger, instant, 100 addresses), each asked
 * once whatever the number of requests that share it. history.ts runs the reads.
 */

/** Go's zero `time.Time`: the server reads an `endTime` holding it as no date at all (`UsePIT`), i.e. today. */
const GO_ZERO_TIME_MS = -62_135_596_800_000;

const RFC3339 = /^(\d{4}-\d{2}-\d{2})[Tt](\d{2}:\d{2}:\d{2})(?:[.,](\d+))?([Zz]|[+-]\d{2}:\d{2})$/;

/** The instant of a point before anything can have moved: no call, no point. */
export const BEFORE_EVERYTHING = Symbol('before everything');

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

export interface Plan {
  readonly index: number;
  readonly address: string;
  readonly asset: string;
  /** Per requested instant: its `endTime`, or BEFORE_EVERYTHING. */
  readonly endTimes: ReadonlyArray<string | typeof BEFORE_EVERYTHING>;
}

/** Closing balances at one instant: address → Formance asset code (`USD/2`) → balance. */
export type Closing = Map<string, Map<string, bigint>>;

/** One ledger's part of a batch. */
export interface LedgerWork {
  readonly ledgerId: string;
  readonly plans: Plan[];
  /** Per `endTime`. */
  readonly closing: Map<string, Closing>;
  /** `${endTime} ${address}` → what the call that asked it failed with. */
  readonly failed: Map<string, Error>;
  /** The ledger itself refused (unknown, no MOVES_HISTORY): every plan of it fails with this. */
  refused: Error | null;
}

export interface Read {
  readonly ledger: LedgerWork;
  readonly endTime: string;
  readonly addresses: readonly string[];
}

/** Groups the requests by ledger; a request that cannot be asked (bad ledger name, pattern, instant) gets its error now. */
export function planLedgers(
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
export function readsOf(ledger: LedgerWork): Read[] {
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

/** What the first failed read covering one of the plan's instants failed with. */
export function failureOf(ledger: LedgerWork, plan: Plan): Error | undefined {
  return plan.endTimes
    .map((endTime) => (endTime === BEFORE_EVERYTHING ? undefined : ledger.failed.get(`${endTime} ${plan.address}`)))
    .find(Boolean);
}

/** Whether any dated read of the ledger returned a row for the address (so the account exists). */
export function seen(ledger: LedgerWork, address: string): boolean {
  for (const rows of ledger.closing.values()) if (rows.has(address)) return true;
  return false;
}
