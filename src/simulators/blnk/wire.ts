import { currencyScales, totalsAt, type BlnkSeedBalance, type BlnkSeedLedger } from './data.ts';

/**
 * How the Blnk server (v0.15.2) writes its JSON. Amounts are Go `*big.Int`, which encoding/json
 * writes as bare integer literals of any size, so the simulator writes them from `bigint` text and
 * never lets them pass through a JS number.
 */

export interface WireOptions {
  /** Write amounts as JSON strings (`"123"`), as some of Blnk's documentation examples show. */
  readonly amountsAsStrings: boolean;
  /** Add `currency_multiplier` (10^scale), as servers before v0.15.0 did. */
  readonly legacyCurrencyMultiplier: boolean;
}

/** Serialises a value; bigints become integer literals (or strings), undefined fields are left out like Go's omitempty. */
export function writeJson(value: unknown, options: Pick<WireOptions, 'amountsAsStrings'>): string {
  if (typeof value === 'bigint') return options.amountsAsStrings ? `"${value}"` : value.toString();
  if (Array.isArray(value)) return `[${value.map((item) => writeJson(item, options)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const fields = Object.entries(value).filter(([, item]) => item !== undefined);
    return `{${fields.map(([key, item]) => `${JSON.stringify(key)}:${writeJson(item, options)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

/** A time as Go's encoding/json writes it (RFC 3339 with trailing fractional zeros trimmed), from epoch microseconds. */
export function formatGoTime(micros: number): string {
  const seconds = Math.floor(micros / 1_000_000);
  const fraction = String(micros - seconds * 1_000_000)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

const ZERO_TIME = '0001-01-01T00:00:00Z';

export function ledgerJson(ledger: BlnkSeedLedger): Record<string, unknown> {
  return {
    ledger_id: ledger.ledgerId,
    name: ledger.name,
    created_at: formatGoTime(ledger.createdAtMicros),
    meta_data: ledger.metaData,
  };
}

/**
 * A `model.Balance` in field order. The list queries select fewer columns than `GET /balances/{id}`,
 * so a listed balance has `version` 0 and no `allocation_strategy`, exactly like the server's.
 */
export function balanceJson(balance: BlnkSeedBalance, detail: boolean, options: WireOptions): Record<string, unknown> {
  const totals = totalsAt(balance);
  return {
    balance: totals.balance,
    version: detail ? balance.movements.length : 0,
    inflight_balance: balance.inflightCredit - balance.inflightDebit,
    credit_balance: totals.credit,
    inflight_credit_balance: balance.inflightCredit,
    debit_balance: totals.debit,
    inflight_debit_balance: balance.inflightDebit,
    ledger_id: balance.ledgerId,
    identity_id: balance.identityId,
    balance_id: balance.balanceId,
    indicator: balance.indicator ?? undefined,
    currency: balance.currency,
    currency_multiplier: options.legacyCurrencyMultiplier ? 10 ** (currencyScales[balance.currency] ?? 0) : undefined,
    created_at: formatGoTime(balance.createdAtMicros),
    inflight_expires_at: ZERO_TIME,
    meta_data: balance.metaData,
    track_fund_lineage: false,
    allocation_strategy: detail ? 'FIFO' : undefined,
  };
}

export interface ErrorOptions {
  /** Some handlers keep the legacy key `errors` instead of `error` (api/errors.go `withLegacyKey`). */
  readonly legacyKey?: 'error' | 'errors';
  readonly legacyValue?: unknown;
  readonly details?: unknown;
}

/** The ≥ 0.15 dual error payload: the legacy flat field plus `error_detail` (api/errors.go `writeError`). */
export function errorJson(code: string, message: string, options: ErrorOptions = {}): Record<string, unknown> {
  return {
    [options.legacyKey ?? 'error']: options.legacyValue ?? message,
    error_detail: { code, message, details: options.details },
  };
}

/** A handler's answer: a status and a JSON value, or a plain-text body. */
export interface Reply {
  readonly status: number;
  readonly json?: unknown;
  /** A non-JSON body (gin's plain-text 404). */
  readonly text?: string;
}

export const ok = (json: unknown): Reply => ({ status: 200, json });
/** An error reply in the ≥ 0.15 envelope (`errorJson`). */
export const fail = (status: number, code: string, message: string, options: ErrorOptions = {}): Reply => ({
  status,
  json: errorJson(code, message, options),
});
