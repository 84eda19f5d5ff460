import { money, parseDecimal } from '../../money.ts';
import {
  readArray,
  readBoolean,
  readNumberText,
  readObject,
  readOptionalString,
  readString,
  toPlainJson,
  VendorShapeError,
} from '../json.ts';
import type { AccountModel, BalanceModel } from '../types.ts';
import { carryFreshness } from '../read-freshness.ts';

/** Vonage balances are EUR with up to 8 decimals (`10.17127500`): scale 8, padded, never rounded. */
export const VONAGE_SCALE = 8;
export const VONAGE_LEDGER_ID = 'account';
const ASSET = 'EUR';

/** A Vonage account as the gateway needs it: its key, display name, balance (null when shared) and metadata. */
export interface VonageAccount {
  readonly apiKey: string;
  readonly name: string;
  /**
   * The balance as sent (a lossless JSON number), unread: an unreadable one fails that account's
   * balance alone, not the answer that carried it. Null when the subaccount spends the primary's.
   */
  readonly balance: unknown;
  readonly metadata: Record<string, unknown>;
}

/** `GET /account/get-balance`: `{"value": 10.17127500, "autoReload": false}`; the float is read as text. */
export function mapVonagePrimary(apiKey: string, body: unknown): VonageAccount {
  const object = readObject(body, 'balance');
  return carryFreshness(object, {
    apiKey,
    name: 'primary',
    balance: object.value ?? new VendorShapeError('value is missing'),
    metadata: { autoReload: readBoolean(object.autoReload, 'autoReload') },
  });
}

/** `GET /accounts/{api_key}/subaccounts`: `_embedded.subaccounts[]`, each with `balance` a number or null. */
export function mapVonageSubaccounts(body: unknown): VonageAccount[] {
  const embedded = readObject(readObject(body, 'subaccounts response')._embedded, '_embedded');
  return readArray(embedded.subaccounts, 'subaccounts').map((item, index) => {
    const subaccount = readObject(item, `subaccounts[${index}]`);
    const shared = subaccount.balance === null || subaccount.balance === undefined;
    return carryFreshness(subaccount, {
      apiKey: readString(subaccount.api_key, 'api_key'),
      name: readOptionalString(subaccount.name, 'name') ?? readString(subaccount.api_key, 'api_key'),
      balance: shared ? null : subaccount.balance,
      metadata: toPlainJson({
        usePrimaryAccountBalance: subaccount.use_primary_account_balance ?? shared,
        suspended: subaccount.suspended ?? false,
        creditLimit: subaccount.credit_limit ?? null,
        createdAt: subaccount.created_at ?? null,
      }) as Record<string, unknown>,
    });
  });
}

/** The primary and its subaccounts as one answer: one api_key is one account, so a key listed twice is a bad response. */
export function joinVonageAccounts(primary: VonageAccount, subaccounts: readonly VonageAccount[]): VonageAccount[] {
  const accounts = [primary, ...subaccounts];
  const keys = new Set<string>();
  for (const account of accounts) {
    if (keys.has(account.apiKey)) throw new VendorShapeError('two accounts have the same api_key');
    keys.add(account.apiKey);
  }
  return accounts;
}

/** An account and its balances, or the error of an unreadable balance, which fails that account's money fields only. */
export interface VonageAccountEntry {
  /** `balances` is attached (priming the balance loader) only when they could be read. */
  readonly model: AccountModel;
  readonly balances: readonly BalanceModel[] | Error;
}

export function mapVonageAccount(
  source: string,
  account: VonageAccount,
  decode: <T>(map: () => T) => T,
): VonageAccountEntry {
  const model: AccountModel = {
    source,
    ledgerId: VONAGE_LEDGER_ID,
    accountId: account.apiKey,
    address: account.apiKey,
    name: account.name,
    metadata: account.metadata,
  };
  let balances: readonly BalanceModel[] | Error;
  try {
    balances =
      account.balance === null
        ? []
        : [decode(() => carryFreshness(account, mapVonageBalance(source, account.apiKey, account.balance)))];
  } catch (error) {
    balances = error instanceof Error ? error : new Error(String(error));
  }
  return { model: balances instanceof Error ? model : { ...model, balances }, balances };
}

function mapVonageBalance(source: string, apiKey: string, value: unknown): BalanceModel {
  if (value instanceof VendorShapeError) throw value;
  const text = readNumberText(value, 'balance');
  // An exponent form (`1e-7`) or more than 8 decimals cannot be read exactly: a bad response, not a rounded one.
  if (!/^-?\d+(\.\d+)?$/.test(text)) throw new VendorShapeError('balance is not a plain decimal');
  const amount = money(parseDecimal(text, VONAGE_SCALE), VONAGE_SCALE, ASSET);
  return {
    source,
    ledgerId: VONAGE_LEDGER_ID,
    accountId: apiKey,
    balanceId: ASSET,
    asset: ASSET,
    available: amount,
    total: amount,
    pending: null,
    credits: null,
    debits: null,
    updatedAt: null,
  };
}
