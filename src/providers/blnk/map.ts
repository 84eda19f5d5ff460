import { SourceError } from '../../errors.ts';
import { MAX_SCALE, money } from '../../money.ts';
import {
  isObject,
  readArray,
  readInteger,
  readNumberText,
  readObject,
  readOptionalString,
  readString,
  toPlainJson,
  VendorShapeError,
  type JsonObject,
} from '../json.ts';
import type { AccountModel, BalanceModel, JsonMap, LedgerModel } from '../types.ts';

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

/** `10^n` → n for a multiplier written as `100`, `100.0` or `1e+21`; null for anything else (0 means "not set"). */
function scaleOfMultiplier(text: string): number | null {
  const match = /^1(0*)(?:\.0*)?$/.exec(text) ?? /^1(?:\.0*)?[eE]\+?(\d+)$/.exec(text);
  if (!match) return null;
  const scale = text.includes('e') || text.includes('E') ? Number(match[1]) : (match[1] ?? '').length;
  return scale <= MAX_SCALE ? scale : null;
}

/** Currency codes are shown in messages, so anything unusual is not echoed. */
function printableCurrency(currency: string): string {
  return /^[A-Za-z0-9_.:-]{1,24}$/.test(currency) ? `"${currency}"` : 'an unusual currency code';
}

/**
 * The scale of a balance. Servers before v0.15.0 sent `currency_multiplier` (the `precision` the
 * balance was created with, 0 when none was given); v0.15.0 dropped it and nothing in a response
 * says the scale, so it comes from the source's configured `currencyScales`.
 */
export function blnkScale(
  source: string,
  balance: JsonObject,
  currency: string,
  scales: Readonly<Record<string, number>>,
): number {
  if (balance.currency_multiplier !== undefined && balance.currency_multiplier !== null) {
    const fromServer = scaleOfMultiplier(readNumberText(balance.currency_multiplier, 'currency_multiplier'));
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
  return {
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
  };
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
