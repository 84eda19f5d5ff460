import { SourceError } from '../../errors.ts';
import { money, MoneyFormatError, parseDecimal, type Money } from '../../money.ts';
import {
  isObject,
  readArray,
  readNumberText,
  readObject,
  readOptionalString,
  readString,
  toPlainJson,
  VendorShapeError,
  type JsonObject,
} from '../json.ts';
import { requireAsked, requireDistinct, sameUuid } from '../answer-checks.ts';
import type { AccountModel, AccountRef, BalanceModel, JsonMap, LedgerModel } from '../types.ts';
import { carryFreshness } from '../read-freshness.ts';

/**
 * Midaz v3.8.0 wire shapes (pkg/mmodel Ledger, Account, Balance, BalanceHistory) to the domain
 * model. Amounts are shopspring decimals written as JSON strings in asset units, trailing zeros
 * dropped (`"1000"`, `"10000.5"`), with no scale anywhere: the scale is the source's configured
 * `assetScales`, and an amount with more decimal places than that is refused, never rounded.
 *
 * An overdrawn balance reads `available: "0"` with the debt in `overdraftUsed` (the Lua balance
 * script floors available at zero), and the system-managed `overdraft` companion balance holds the
 * same debt again. The gateway maps a balance to its net position, as Midaz's own `position` block
 * does: available = available − overdraftUsed, pending = onHold, total = available + onHold −
 * overdraftUsed; the companion is folded into its parent and never listed on its own.
 */

/** The reserved key of the system-managed companion (pkg/constant `OverdraftBalanceKey`). */
export const OVERDRAFT_KEY = 'overdraft';

/** `items` of a page; Go writes a nil slice (an empty ledger or account page) as `null`. */
export function readMidazItems(body: unknown, what: string): unknown[] {
  const items = readObject(body, what).items;
  return items === null ? [] : readArray(items, `${what} items`);
}

function readMetadata(value: unknown): JsonMap | null {
  return isObject(value) ? (toPlainJson(value) as JsonMap) : null;
}

export function mapMidazLedger(source: string, value: unknown): LedgerModel {
  const ledger = readObject(value, 'ledger');
  return {
    source,
    ledgerId: readString(ledger.id, 'ledger id'),
    name: readString(ledger.name, 'ledger name'),
    createdAt: readOptionalString(ledger.createdAt, 'ledger createdAt'),
    metadata: readMetadata(ledger.metadata),
  };
}

/** The ledger asked for (lists by ledger, lookups): an account or balance row of another one is a bad response. */
function checkLedger(record: JsonObject, ledgerId: string, what: string): void {
  requireAsked(readString(record.ledgerId, `${what} ledgerId`), ledgerId, `${what}'s ledgerId`, sameUuid);
}

export function mapMidazAccount(source: string, ledgerId: string, value: unknown): AccountModel {
  const account = readObject(value, 'account');
  checkLedger(account, ledgerId, 'an account');
  const accountId = readString(account.id, 'account id');
  // The server stores the account id as alias when none was given; older rows may hold null.
  const alias = readOptionalString(account.alias, 'account alias');
  return {
    source,
    ledgerId,
    accountId,
    address: alias || accountId,
    name: readOptionalString(account.name, 'account name'),
    metadata: readMetadata(account.metadata),
  };
}

/** Asset codes are shown in messages, so anything unusual is not echoed. */
function printable(asset: string): string {
  return /^[A-Za-z0-9_-]{1,24}$/.test(asset) ? `"${asset}"` : 'an unusual asset code';
}

/** The configured scale of an asset; SOURCE_BAD_RESPONSE naming the asset when none is configured. */
export function midazScale(source: string, asset: string, scales: Readonly<Record<string, number>>): number {
  const scale = Object.hasOwn(scales, asset) ? scales[asset] : undefined;
  if (scale !== undefined) return scale;
  throw new SourceError(
    'SOURCE_BAD_RESPONSE',
    `source "${source}" holds a balance in ${printable(asset)}, whose number of decimal places Midaz does not send: add it to this source's assetScales`,
    { source, retryable: false },
  );
}

/** One decimal amount in minor units; more decimal places than the scale is a shape error, not a rounding. */
function readAmount(record: JsonObject, field: string, asset: string, scale: number, optional = false): bigint {
  if (optional && (record[field] === undefined || record[field] === null)) return 0n; // servers before v3.8 have no overdraftUsed
  const text = readNumberText(record[field], `balance ${field}`);
  try {
    return parseDecimal(text, scale);
  } catch (error) {
    if (error instanceof MoneyFormatError) {
      throw new VendorShapeError(
        `a ${printable(asset)} ${field} amount has more decimal places than its configured scale (${scale}) or is not a plain decimal`,
      );
    }
    throw error;
  }
}

export interface MidazAmounts {
  readonly asset: string;
  readonly scale: number;
  readonly available: bigint;
  readonly onHold: bigint;
  readonly overdraftUsed: bigint;
  readonly companion: boolean;
}

/** The amounts of a Balance or BalanceHistory record, in minor units at the asset's scale. */
export function readMidazAmounts(
  source: string,
  value: unknown,
  scales: Readonly<Record<string, number>>,
): MidazAmounts {
  const record = readObject(value, 'balance');
  const asset = readString(record.assetCode, 'balance assetCode');
  if (asset === '') throw new VendorShapeError('balance assetCode is empty');
  const scale = midazScale(source, asset, scales);
  return {
    asset,
    scale,
    available: readAmount(record, 'available', asset, scale),
    onHold: readAmount(record, 'onHold', asset, scale),
    overdraftUsed: readAmount(record, 'overdraftUsed', asset, scale, true),
    companion: record.key === OVERDRAFT_KEY,
  };
}

/** A current balance, or null for an `overdraft` companion (its debt is the parent's `overdraftUsed`). */
export function mapMidazBalance(
  source: string,
  ledgerId: string,
  value: unknown,
  scales: Readonly<Record<string, number>>,
): BalanceModel | null {
  const record = readObject(value, 'balance');
  checkLedger(record, ledgerId, 'a balance');
  const amounts = readMidazAmounts(source, record, scales);
  if (amounts.companion) return null;
  const amount = (minorUnits: bigint): Money => money(minorUnits, amounts.scale, amounts.asset);
  return carryFreshness(value, {
    source,
    ledgerId,
    accountId: readString(record.accountId, 'balance accountId'),
    // One balance per account, asset and key; Midaz gives each its own id, so the key needs no place here.
    balanceId: readString(record.id, 'balance id'),
    asset: amounts.asset,
    available: amount(amounts.available - amounts.overdraftUsed),
    pending: amount(amounts.onHold),
    total: amount(amounts.available + amounts.onHold - amounts.overdraftUsed),
    credits: null,
    debits: null,
    updatedAt: readOptionalString(record.updatedAt, 'balance updatedAt'),
  });
}

/** The ledger read by id: another ledger's record is a bad response. */
export function mapMidazLedgerAt(source: string, ledgerId: string, value: unknown): LedgerModel {
  const ledger = mapMidazLedger(source, value);
  requireAsked(ledger.ledgerId, ledgerId, "the ledger's id", sameUuid);
  return ledger;
}

/** The account read by alias: another alias's record is a bad response. */
export function mapMidazAccountAlias(source: string, ledgerId: string, value: unknown, alias: string): AccountModel {
  const account = mapMidazAccount(source, ledgerId, value);
  requireAsked(account.address, alias, "the account's alias");
  return account;
}

/** The account read by id: another account's record (or another ledger's) is a bad response. */
export function mapMidazAccountAt(source: string, ref: AccountRef, value: unknown): AccountModel {
  const account = mapMidazAccount(source, ref.ledgerId, value);
  requireAsked(account.accountId, ref.accountId, "the account's id", sameUuid);
  return account;
}

/**
 * The balances of one account read by id (every page of `…/accounts/{id}/balances`): a row of
 * another account or ledger, or one balance id listed twice, is a bad response.
 */
export function mapMidazAccountBalances(
  source: string,
  ref: AccountRef,
  rows: readonly unknown[],
  scales: Readonly<Record<string, number>>,
): BalanceModel[] {
  requireDistinct(rows, (row) => readString(readObject(row, 'balance').id, 'balance id').toLowerCase(), 'balances');
  for (const row of rows)
    requireAsked(
      readString(readObject(row, 'balance').accountId, 'balance accountId'),
      ref.accountId,
      "a balance's accountId",
      sameUuid,
    );
  return rows
    .map((row) => mapMidazBalance(source, ref.ledgerId, row, scales))
    .filter((balance): balance is BalanceModel => balance !== null);
}

/**
 * An account's net position in one asset at a past date, from the rows of
 * `…/accounts/{id}/balances/history` (one per balance key), or null when no row is in that asset.
 * v3.8.0's history query does not select `overdraft_used` (it always reads "0") while the
 * companion's row carries the debt, so the debt is whichever of the two the server reports.
 */
export function mapMidazHistoryTotal(
  source: string,
  rows: readonly unknown[],
  asset: string,
  scales: Readonly<Record<string, number>>,
  accountId: string,
): Money | null {
  let scale: number | null = null;
  let holdings = 0n;
  let used = 0n;
  let companionDebt = 0n;
  // One row per balance key of the account asked for: a row of another account, or a key listed twice, is a bad response.
  requireDistinct(rows, (row) => readString(readObject(row, 'balance history').id, 'balance history id'), 'balances');
  for (const row of rows) {
    const record = readObject(row, 'balance history');
    requireAsked(
      readString(record.accountId, 'balance history accountId'),
      accountId,
      "a balance's accountId",
      sameUuid,
    );
    if (readString(record.assetCode, 'balance assetCode') !== asset) continue;
    const amounts = readMidazAmounts(source, row, scales);
    scale = amounts.scale;
    if (amounts.companion) companionDebt += amounts.available + amounts.onHold;
    else {
      holdings += amounts.available + amounts.onHold;
      used += amounts.overdraftUsed;
    }
  }
  if (scale === null) return null;
  return money(holdings - (used > companionDebt ? used : companionDebt), scale, asset);
}
