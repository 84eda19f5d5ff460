import { assetOf, currentTotal, type SeedAccount } from './data.ts';

/**
 * How the Vault API writes its JSON (vendor-specs/ledger-enterprise/ledger-enterprise-vault-openapi.yml).
 * Amounts are strings of base units, dates are Python `isoformat()` (`+00:00`, the fraction left
 * out when it is zero), errors are `Error {message, name, status_code}`.
 */

export interface Reply {
  readonly status: number;
  readonly json: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

export const ERROR_NAMES: Readonly<Record<number, string>> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  404: 'NotFound',
  420: 'RateLimitExceeded',
  429: 'TooManyRequests',
  500: 'InternalServerError',
  501: 'NotImplemented',
};

export function errorReply(status: number, message: string, headers?: Record<string, string>): Reply {
  return {
    status,
    json: { message, name: ERROR_NAMES[status] ?? 'Error', status_code: status },
    ...(headers ? { headers } : {}),
  };
}

/** Python's `datetime.isoformat()` of a UTC instant given in epoch microseconds. */
export function formatPythonTime(micros: number): string {
  const millis = Math.floor(micros / 1000);
  const fraction = micros - Math.floor(micros / 1_000_000) * 1_000_000;
  return `${new Date(millis).toISOString().slice(0, 19)}${fraction === 0 ? '' : `.${String(fraction).padStart(6, '0')}`}+00:00`;
}

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?(Z|[+-]\d{2}:?\d{2})?$/;

/** An ISO 8601 date-time as the API's parser reads it (no zone means UTC), in epoch microseconds; null when invalid. */
export function parseDateTime(text: string): number | null {
  const match = DATE_TIME.exec(text);
  if (!match) return null;
  const [, year, month, day, hour, minute, second = '00', fraction = '', zone = 'Z'] = match;
  if (Number(month) < 1 || Number(month) > 12 || Number(hour) > 23 || Number(minute) > 59 || Number(second) > 59)
    return null;
  if (Number(day) < 1 || Number(day) > new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate()) return null;
  const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(-2)}`;
  const millis = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}${offset}`);
  return Number.isNaN(millis) ? null : millis * 1000 + Number(fraction.padEnd(6, '0'));
}

const derivationPath = (account: SeedAccount) => `44'/${account.currency.coinType}'/${account.index}'`;

/** The `Account` schema, every required field and the nullable ones the server writes. */
export function accountJson(account: SeedAccount): Record<string, unknown> {
  const total = currentTotal(account);
  return {
    address: account.address,
    available_balance: (total - account.pending).toString(),
    balance: total.toString(),
    coin_fields: null,
    contract_address: account.currency.contractAddress,
    created_by: account.createdBy,
    created_on: formatPythonTime(account.createdOnMicros),
    currency: account.currency.currency,
    derivation_path: derivationPath(account),
    governance_rules: [
      {
        id: 1,
        index: 0,
        name: 'Rule 1',
        rules: [{ data: [{ group: 2, quorum: 1 }], id: 1, type: 'MULTI_AUTHORIZATIONS' }],
      },
    ],
    id: account.id,
    index: account.index,
    labels: account.labels.map((label) => ({
      id: label.id,
      info: { color: label.color, description: label.description },
      name: label.name,
    })),
    last_request: null,
    name: account.name,
    parent: account.parent,
    pending_balance: account.pending.toString(),
    status: account.status,
    token_accounts: [],
    tradelink_data: null,
    type: account.currency.type,
    xpub: null,
  };
}

/** `GET /accounts/{id}/balances`: `AccountBalances`, `BitcoinBalances` or `SolanaBalances` by currency. */
export function balancesJson(account: SeedAccount): Record<string, unknown> {
  const total = currentTotal(account);
  const available = total - account.pending;
  if (account.currency.shape === 'solana') {
    // Staking figures only: a quarter of the balance is staked and delegated.
    const staked = total / 4n;
    return {
      activating: '0',
      deactivating: '0',
      delegated: staked.toString(),
      token_accounts: null,
      total_staked: staked.toString(),
      undelegated: '0',
    };
  }
  if (account.currency.shape === 'bitcoin') {
    return {
      available: available.toString(),
      confirmed: available.toString(),
      mempool_change: '0',
      mempool_in: account.pending.toString(),
      mempool_out: '0',
      pending: account.pending.toString(),
      total: total.toString(),
      under_confirmation_change: '0',
      under_confirmation_in: '0',
      under_confirmation_out: '0',
      worthless: '0',
    };
  }
  return { available: available.toString(), pending: account.pending.toString(), total: total.toString() };
}

/** `CurrencyInfo` of history answers. */
export function currencyInfoJson(account: SeedAccount): Record<string, unknown> {
  const { currency } = account;
  return {
    magnitude: currency.magnitude,
    name: currency.infoName,
    network: currency.currency,
    token_address: currency.contractAddress,
  };
}

/** Whether an account matches the search's `currency` filter (`bitcoin`, `ethereum:0x…`). */
export function matchesCurrency(account: SeedAccount, filter: string): boolean {
  return assetOf(account.currency).toLowerCase() === filter.toLowerCase();
}
