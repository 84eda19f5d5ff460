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

/** Vonage balances are EUR with up to 8 decimals (`10.17127500`): scale 8, padded, never rounded. */
export const VONAGE_SCALE = 8;
export const VONAGE_LEDGER_ID = 'account';
const ASSET = 'EUR';

/** A Vonage account as the gateway needs it: its key, display name, balance text (null when shared) and metadata. */
export interface VonageAccount {
  readonly apiKey: string;
  readonly name: string;
  /** The balance's JSON number text, exactly as sent; null when the subaccount spends the primary's. */
  readonly balance: string | null;
  readonly metadata: Record<string, unknown>;
}

/** `GET /account/get-balance`: `{"value": 10.17127500, "autoReload": false}`; the float is read as text. */
export function mapVonagePrimary(apiKey: string, body: unknown): VonageAccount {
  const object = readObject(body, 'balance');
  return {
    apiKey,
    name: 'primary',
    balance: readNumberText(object.value, 'value'),
    metadata: { autoReload: readBoolean(object.autoReload, 'autoReload') },
  };
}

/** `GET /accounts/{api_key}/subaccounts`: `_embedded.subaccounts[]`, each with `balance` a number or null. */
export function mapVonageSubaccounts(body: unknown): VonageAccount[] {
  const embedded = readObject(readObject(body, 'subaccounts response')._embedded, '_embedded');
  return readArray(embedded.subaccounts, 'subaccounts').map((item, index) => {
    const subaccount = readObject(item, `subaccounts[${index}]`);
    const shared = subaccount.balance === null || subaccount.balance === undefined;
    return {
      apiKey: readString(subaccount.api_key, 'api_key'),
      name: readOptionalString(subaccount.name, 'name') ?? readString(subaccount.api_key, 'api_key'),
      balance: shared ? null : readNumberText(subaccount.balance, 'balance'),
      metadata: toPlainJson({
        usePrimaryAccountBalance: subaccount.use_primary_account_balance ?? shared,
        suspended: subaccount.suspended ?? false,
        creditLimit: subaccount.credit_limit ?? null,
        createdAt: subaccount.created_at ?? null,
      }) as Record<string, unknown>,
    };
  });
}

export function mapVonageAccount(source: string, account: VonageAccount): AccountModel {
  const balances = account.balance === null ? [] : [mapVonageBalance(source, account)];
  return {
    source,
    ledgerId: VONAGE_LEDGER_ID,
    accountId: account.apiKey,
    address: account.apiKey,
    name: account.name,
    metadata: account.metadata,
    balances,
  };
}

function mapVonageBalance(source: string, account: VonageAccount): BalanceModel {
  const text = account.balance ?? '';
  // An exponent form (`1e-7`) or more than 8 decimals cannot be read exactly: a bad response, not a rounded one.
  if (!/^-?\d+(\.\d+)?$/.test(text)) throw new VendorShapeError('balance is not a plain decimal');
  const amount = money(parseDecimal(text, VONAGE_SCALE), VONAGE_SCALE, ASSET);
  return {
    source,
    ledgerId: VONAGE_LEDGER_ID,
    accountId: account.apiKey,
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
