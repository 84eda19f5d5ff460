import { SourceError } from '../../errors.ts';
import { MAX_SCALE, money } from '../../money.ts';
import { isLosslessNumber } from 'lossless-json';
import {
  isObject,
  readArray,
  readInteger,
  readObject,
  readOptionalString,
  readString,
  toPlainJson,
  VendorShapeError,
  type JsonObject,
} from '../json.ts';
import { requireAsked } from '../answer-checks.ts';
import type { AccountModel, BalanceModel, JsonMap, LedgerModel } from '../types.ts';
import { carryFreshness } from '../read-freshness.ts';

/**
 * Blnk wire shapes (model.Ledger, model.Balance of github.com/blnkfinance/blnk v0.15.2) to the
 * domain model. A Blnk balance (`bln_…`) holds one currency, so it is both an Account and that
 * account's single Balance.
 */

/** The fields of a list response: a bare array, or `null` for an empty page (a nil Go slice). */
export function readBlnkList(body: unknown, what: string): unknown[] {
  return body === null ? [] : readArray(body, what);
}

/** `error_detail.code` of a ≥ 0.15 error envelope, or null (pre-0.15 servers send `{"error": "…"}` only). */
export function readBlnkErrorCode(body: unknown): string | null {
  const detail = isObject(body) ? body.error_detail : undefined;
  return isObject(detail) && typeof detail.code === 'string' ? detail.code : null;
}

/**
 * Whether an error answer means "no such record": a 404 with one of `codes` (or none, or
 * GEN_NOT_FOUND), or a pre-0.15 server's `400 {"error": "… not found"}`, which that server sent
 * for unknown ids and which v0.15's own api/errors.go classifies by the same words.
 */
export function isBlnkNotFound(status: number, body: unknown, codes: readonly string[]): boolean {
  const code = readBlnkErrorCode(body);
  if (status === 404) return code === null || code === 'GEN_NOT_FOUND' || codes.includes(code);
  const legacy = isObject(body) && body.error_detail === undefined ? body.error : undefined;
  return status === 400 && typeof legacy === 'string' && /not found/i.test(legacy);
}

function readMetadata(value: unknown): JsonMap | null {
  return isObject(value) ? (toPlainJson(value) as JsonMap) : null;
}

/** `indicator` is left out when empty (`omitempty`). */
function readIndicator(balance: JsonObject): string | null {
  const indicator = readOptionalString(balance.indicator, 'balance indicator');
  return indicator === '' ? null : indicator;
}

export function mapBlnkLedger(source: string, value: unknown): LedgerModel {
  const ledger = readObject(value, 'ledger');
  return {
    source,
    ledgerId: readString(ledger.ledger_id, 'ledger_id'),
    name: readString(ledger.name, 'ledger name'),
    createdAt: readOptionalString(ledger.created_at, 'ledger created_at'),
    metadata: readMetadata(ledger.meta_data),
  };
}

export function mapBlnkAccount(source: string, value: unknown): AccountModel {
  const balance = readObject(value, 'balance');
  const balanceId = readString(balance.balance_id, 'balance_id');
  const indicator = readIndicator(balance);
  const metadata = readMetadata(balance.meta_data);
  return {
    source,
    ledgerId: readString(balance.ledger_id, 'balance ledger_id'),
    accountId: balanceId,
    address: indicator ?? balanceId,
    name: typeof metadata?.name === 'string' ? metadata.name : indicator,
    metadata,
  };
}

/** A JSON number: sign, digits, fraction, exponent. */
const JSON_NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/**
 * The scale a `currency_multiplier` states: n for 10^n (`100`, `100.0`, `1e+21`, as Go writes a
 * float64), null for zero (Go's zero value: the balance was created without a `precision`), and
 * undefined for anything else (99, 100.5, -100, 0.01, past 10^MAX_SCALE, or not a number).
 */
function scaleOfMultiplier(value: unknown): number | null | undefined {
  if (!isLosslessNumber(value)) return undefined; // Go writes a float64, never a string
  const match = JSON_NUMBER.exec(value.toString());
  if (!match) return undefined;
  const [, sign, whole = '', fraction = '', exponent = '0'] = match;
  const digits = `${whole}${fraction}`.replace(/^0+/, '');
  if (digits === '') return null; // 0, -0, 0.0, 0e5
  if (sign === '-') return undefined;
  const trailing = digits.length - digits.replace(/0+$/, '').length;
  if (digits.slice(0, digits.length - trailing) !== '1') return undefined;
  const scale = trailing + Number(exponent) - fraction.length;
  return Number.isSafeInteger(scale) && scale >= 0 && scale <= MAX_SCALE ? scale : undefined;
}

/** Currency codes are shown in messages, so anything unusual is not echoed. */
function printableCurrency(currency: string): string {
  return /^[A-Za-z0-9_.:-]{1,24}$/.test(currency) ? `"${currency}"` : 'an unusual currency code';
}

/**
 * The scale of a balance. Servers before v0.15.0 sent `currency_multiplier`: the `precision` the
 * balance was created with, stored unchecked (any float64: CreateBalance validates no precision,
 * model.Balance `CurrencyMultiplier float64`), written as a JSON number, 0 when none was given, and
 * applied to no amount (transactions carry their own precision). v0.15.0 dropped it. A power of
 * ten states the scale; 0 or no field leaves it to the source's configured `currencyScales`; any
 * other value (99, 100.5, -100) is a SOURCE_BAD_RESPONSE for this balance, never a guess. Errors
 * are SourceErrors already, so callers outside a `decode` (history) report them as they are.
 */
export function blnkScale(
  source: string,
  balance: JsonObject,
  currency: string,
  scales: Readonly<Record<string, number>>,
): number {
  const multiplier = balance.currency_multiplier;
  if (multiplier !== undefined && multiplier !== null) {
    const fromServer = scaleOfMultiplier(multiplier);
    if (fromServer === undefined)
      throw new SourceError(
        'SOURCE_BAD_RESPONSE',
        `source "${source}" sent a response the gateway cannot read: a balance's currency_multiplier is not a power of ten from 1 to 1e${MAX_SCALE}`,
        { source, retryable: false },
      );
    if (fromServer !== null) return fromServer;
  }
  const configured = Object.hasOwn(scales, currency) ? scales[currency] : undefined;
  if (configured !== undefined) return configured;
  throw new SourceError(
    'SOURCE_BAD_RESPONSE',
    `source "${source}" holds a balance in ${printableCurrency(currency)}, whose number of decimal places Blnk does not send: add it to this source's currencyScales`,
    { source, retryable: false },
  );
}

export function mapBlnkBalance(source: string, value: unknown, scales: Readonly<Record<string, number>>): BalanceModel {
  const account = mapBlnkAccount(source, value);
  const balance = readObject(value, 'balance');
  const currency = readString(balance.currency, 'balance currency');
  if (currency === '') throw new VendorShapeError('balance currency is empty');
  const scale = blnkScale(source, balance, currency, scales);
  // Amounts are big.Int: JSON integers of any size from the server, integer strings in some docs.
  const amount = (field: string) => money(readInteger(balance[field], field), scale, currency);
  const total = readInteger(balance.balance, 'balance');
  return carryFreshness(value, {
    source,
    ledgerId: account.ledgerId,
    accountId: account.accountId,
    balanceId: account.accountId,
    asset: currency,
    total: money(total, scale, currency),
    // Spendable: what inflight (authorised, uncommitted) debits have not yet reserved.
    available: money(total - readInteger(balance.inflight_debit_balance, 'inflight_debit_balance'), scale, currency),
    pending: amount('inflight_balance'),
    credits: amount('credit_balance'),
    debits: amount('debit_balance'),
    updatedAt: null, // a balance carries created_at only
    account, // a Blnk balance is its own account: `balance { account }` needs no second read
  });
}

/**
 * The balance of a `GET /balances/{id}/at` answer (`{balance: {balance, balance_id, currency, …}}`,
 * balance_id sent since 0.13): another balance's figures, or another currency's, are a bad response.
 */
export function readBlnkBalanceAt(body: unknown, balanceId: string, currency: string): JsonObject {
  const balance = readObject(readObject(body, 'historical balance').balance, 'historical balance');
  requireAsked(readString(balance.balance_id, 'historical balance_id'), balanceId, "a historical balance's balance_id");
  requireAsked(readString(balance.currency, 'historical currency'), currency, "a historical balance's currency");
  return balance;
}

/**
 * An account with its one balance attached, so the balance loader needs no second call. When the
 * balance cannot be read (an unconfigured currency), the account still answers without it and the
 * balance read reports the problem.
 */
export function mapBlnkAccountWithBalance(
  source: string,
  value: unknown,
  scales: Readonly<Record<string, number>>,
): AccountModel {
  const account = mapBlnkAccount(source, value);
  try {
    return { ...account, balances: [mapBlnkBalance(source, value, scales)] };
  } catch {
    return account;
  }
}
