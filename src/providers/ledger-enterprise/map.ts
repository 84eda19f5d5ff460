import { MAX_SCALE, MoneyFormatError, money, parseDecimal } from '../../money.ts';
import {
  isObject,
  readArray,
  readBoolean,
  readObject,
  readOptionalString,
  readSafeInteger,
  readString,
  VendorShapeError,
  type JsonObject,
} from '../json.ts';
import { requireAsked, requireDistinct } from '../answer-checks.ts';
import type { AccountModel, BalanceModel, JsonMap } from '../types.ts';
import { carryFreshness } from '../read-freshness.ts';

/**
 * Vault API v1 wire shapes (vendor-specs/ledger-enterprise/ledger-enterprise-vault-openapi.yml,
 * NOTES.md §2) to the domain model. A Vault account holds one currency, so it has one balance,
 * whose asset is the account's currency (`bitcoin`), or `<currency>:<contract>` for a token
 * account: the syntax of the search's own `currency` filter, so an asset filter maps onto it exactly.
 */

/** The figures of one balance, in the currency's base unit (satoshi, wei, lamport, token base units). */
export interface VaultFigures {
  readonly total: bigint;
  readonly available: bigint;
  readonly pending: bigint;
}

/** The part of an `Account` the gateway reads. */
export interface VaultAccount {
  /** The integer id, as decimal text. */
  readonly id: string;
  readonly name: string;
  readonly asset: string;
  readonly metadata: JsonMap;
  /**
   * The account's balance figures, or why they cannot be read: an unreadable amount fails that
   * account's money fields only, never the account or the page of accounts it came in.
   */
  readonly figures: VaultFigures | VendorShapeError;
}

/** The figures of an account read, or its VendorShapeError thrown (inside a client's `decode`, SOURCE_BAD_RESPONSE). */
export function figuresOf(account: VaultAccount): VaultFigures {
  if (account.figures instanceof VendorShapeError) throw account.figures;
  return account.figures;
}

function readFigures(account: JsonObject): VaultFigures | VendorShapeError {
  try {
    // A balance is mapped from these figures later (mapVaultBalance): they carry the account's receive time.
    return carryFreshness(account, {
      total: readAmount(account.balance, 'account balance'),
      available: readAmount(account.available_balance, 'account available_balance'),
      pending: readAmount(account.pending_balance, 'account pending_balance'),
    });
  } catch (error) {
    if (error instanceof VendorShapeError) return error;
    throw error;
  }
}

/**
 * An amount: a string of base units (`"1338"`). The spec's pattern also allows a fraction; only a
 * zero one is accepted, since base units have none and rounding money is never right.
 */
export function readAmount(value: unknown, what: string): bigint {
  const text = readString(value, what);
  if (text.startsWith('-')) throw new VendorShapeError(`${what} is negative`); // the spec's pattern has no sign
  try {
    return parseDecimal(text, 0);
  } catch (error) {
    if (error instanceof MoneyFormatError) throw new VendorShapeError(`${what} is not an amount in base units`);
    throw error;
  }
}

export function readAccountId(value: unknown, what: string): string {
  return String(readSafeInteger(value, what));
}

/** `LiteLabel` names; anything else in `labels` is ignored. */
function readLabels(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  return readArray(value, 'account labels').flatMap((label) =>
    isObject(label) && typeof label.name === 'string' ? [label.name] : [],
  );
}

const optionalInteger = (value: unknown, what: string) =>
  value === undefined || value === null ? null : readSafeInteger(value, what);

export function readVaultAccount(value: unknown): VaultAccount {
  const account = readObject(value, 'account');
  const currency = readString(account.currency, 'account currency');
  if (currency === '') throw new VendorShapeError('account currency is empty');
  const contractAddress = readOptionalString(account.contract_address, 'account contract_address') || null;
  const chainAddress = readOptionalString(account.address, 'account address');
  return carryFreshness(account, {
    id: readAccountId(account.id, 'account id'),
    name: readString(account.name, 'account name'),
    asset: contractAddress === null ? currency : `${currency}:${contractAddress}`,
    figures: readFigures(account),
    metadata: {
      currency,
      type: readString(account.type, 'account type'),
      status: readString(account.status, 'account status'),
      index: readSafeInteger(account.index, 'account index'),
      parent: optionalInteger(account.parent, 'account parent'),
      contract_address: contractAddress,
      address: chainAddress,
      derivation_path: readOptionalString(account.derivation_path, 'account derivation_path'),
      labels: readLabels(account.labels),
      created_on: readString(account.created_on, 'account created_on'),
      created_by: readSafeInteger(account.created_by, 'account created_by'),
    },
  });
}

/** `GET /accounts/{id}`: another account's record is a bad response, never taken as the one asked for. */
export function readVaultAccountAt(value: unknown, accountId: string): VaultAccount {
  const account = readVaultAccount(value);
  requireAsked(account.id, accountId, "the account's id");
  return account;
}

/** Solana's native currency and its test networks: their `/balances` carries staking figures only. */
export function isSolanaAsset(asset: string): boolean {
  return /^solana(?:_[a-z]+)?$/.test(asset);
}

export interface AccountTarget {
  readonly source: string;
  readonly ledgerId: string;
}

/** The account without its balance. */
export function mapVaultAccount(target: AccountTarget, account: VaultAccount): AccountModel {
  // The vault's own handle is the integer id: every endpoint takes it, and it never changes (names can).
  return {
    source: target.source,
    ledgerId: target.ledgerId,
    accountId: account.id,
    address: account.id,
    name: account.name,
    metadata: account.metadata,
  };
}

/** The account's one balance; `account` is attached when the read described it. */
export function mapVaultBalance(
  target: AccountTarget,
  accountId: string,
  asset: string,
  scale: number,
  figures: VaultFigures,
  account?: AccountModel,
): BalanceModel {
  // The figures carry the receive time of the answer they were read from.
  return carryFreshness(figures, {
    source: target.source,
    ledgerId: target.ledgerId,
    accountId,
    balanceId: asset, // one currency per account: the asset names the balance
    asset,
    total: money(figures.total, scale, asset),
    available: money(figures.available, scale, asset),
    pending: money(figures.pending, scale, asset),
    credits: null,
    debits: null,
    updatedAt: null,
    ...(account ? { account } : {}),
  });
}

/** The account with its balance attached when the currency's scale is known (the account read carries the figures). */
export function mapVaultAccountWithBalance(
  target: AccountTarget,
  account: VaultAccount,
  scale: number | undefined,
): AccountModel {
  const model = mapVaultAccount(target, account);
  if (scale === undefined || account.figures instanceof VendorShapeError) return model;
  return { ...model, balances: [mapVaultBalance(target, account.id, account.asset, scale, account.figures, model)] };
}

/**
 * `GET /accounts/{id}/balances`, a `oneOf` told apart by its keys: `AccountBalances` and
 * `BitcoinBalances` both carry total/available/pending (Bitcoin adds its UTXO breakdown, which the
 * model has no field for); `SolanaBalances` carries only staking figures, so `null` here.
 */
export function readBalancesBody(body: unknown): VaultFigures | null {
  const balances = readObject(body, 'balances');
  if (balances.total === undefined && balances.total_staked !== undefined) return null;
  return carryFreshness(balances, {
    total: readAmount(balances.total, 'balances total'),
    available: readAmount(balances.available, 'balances available'),
    pending: readAmount(balances.pending, 'balances pending'),
  });
}

export function readMagnitude(value: unknown, what: string): number {
  const magnitude = readSafeInteger(value, what);
  if (magnitude < 0 || magnitude > MAX_SCALE) throw new VendorShapeError(`${what} is out of range`);
  return magnitude;
}

/** `AccountCurrency`: the scale is the largest unit's magnitude (magnitude 0 is the base unit amounts are in). */
export function readCurrencyScale(body: unknown): number {
  const units = readArray(readObject(body, 'currency').amount_units, 'amount_units');
  if (units.length === 0) throw new VendorShapeError('amount_units is empty');
  return Math.max(
    ...units.map((unit) => readMagnitude(readObject(unit, 'amount unit').magnitude, 'amount unit magnitude')),
  );
}

export interface SearchPage {
  readonly accounts: VaultAccount[];
  /** `page_info.count`: every account the search matches. */
  readonly count: number;
  readonly hasNextPage: boolean;
}

/** `_APISearchAccountResults`: `edges[].node` in page order (`cursor` is the index in the page). */
export function readSearchPage(body: unknown): SearchPage {
  const page = readObject(body, 'account search');
  const info = readObject(page.page_info, 'page_info');
  const accounts = readArray(page.edges, 'edges').map((edge) => readVaultAccount(readObject(edge, 'edge').node));
  requireDistinct(accounts, (account) => account.id, 'accounts');
  return {
    accounts,
    count: readSafeInteger(info.count, 'page_info.count'),
    hasNextPage: readBoolean(info.has_next_page, 'page_info.has_next_page'),
  };
}
