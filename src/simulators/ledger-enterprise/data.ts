import { createRandom } from '../random.ts';

/**
 * The seeded Vault workspace: accounts in several currencies, each with a balance timeline in the
 * currency's base unit (satoshi, wei, lamport, token base units). Deterministic on every run.
 */

/** Which `GET /accounts/{id}/balances` shape a currency answers with (the spec's `oneOf`). */
export type BalanceShape = 'plain' | 'bitcoin' | 'solana';

export interface CurrencyUnit {
  readonly code: string;
  readonly magnitude: number;
}

export interface SeedCurrency {
  /** The account's `currency` (the chain). */
  readonly currency: string;
  /** The ERC-20 contract, for token accounts. */
  readonly contractAddress: string | null;
  /** The account `type` (`Bitcoin`, `Erc20`, …). */
  readonly type: string;
  /** The largest unit's magnitude: the number of decimals of the currency. */
  readonly magnitude: number;
  readonly amountUnits: readonly CurrencyUnit[];
  readonly feesUnits: readonly CurrencyUnit[];
  readonly shape: BalanceShape;
  /** Whether `/balances/history` supports the currency (501 otherwise). */
  readonly history: boolean;
  /** `CurrencyInfo.name` in history answers. */
  readonly infoName: string;
  /** Account names start with this. */
  readonly label: string;
  /** Balances are drawn up to this many whole units. */
  readonly maxWhole: number;
  readonly coinType: number;
}

const units = (...pairs: Array<[string, number]>): CurrencyUnit[] =>
  pairs.map(([code, magnitude]) => ({ code, magnitude }));
const ETH_UNITS = units(['wei', 0], ['Kwei', 3], ['Mwei', 6], ['Gwei', 9], ['ETH', 18]);
const native = (
  currency: string,
  type: string,
  shape: BalanceShape,
  label: string,
  amount: CurrencyUnit[],
  maxWhole: number,
  coinType: number,
  history = true,
): SeedCurrency => ({
  currency,
  contractAddress: null,
  type,
  magnitude: Math.max(...amount.map((unit) => unit.magnitude)),
  amountUnits: amount,
  feesUnits: amount,
  shape,
  history,
  infoName: currency,
  label,
  maxWhole,
  coinType,
});
const erc20 = (
  label: string,
  name: string,
  contractAddress: string,
  magnitude: number,
  maxWhole: number,
): SeedCurrency => ({
  currency: 'ethereum',
  contractAddress,
  type: 'Erc20',
  magnitude,
  amountUnits: units([label, magnitude]),
  feesUnits: ETH_UNITS,
  shape: 'plain',
  history: true,
  infoName: name,
  label,
  maxWhole,
  coinType: 60,
});

export const CURRENCIES = {
  bitcoin: native(
    'bitcoin',
    'Bitcoin',
    'bitcoin',
    'BTC',
    units(['sat', 0], ['bit', 2], ['mBTC', 5], ['BTC', 8]),
    250,
    0,
  ),
  litecoin: native('litecoin', 'Bitcoin', 'bitcoin', 'LTC', units(['litoshi', 0], ['mLTC', 5], ['LTC', 8]), 5_000, 2),
  ethereum: native('ethereum', 'Ethereum', 'plain', 'ETH', ETH_UNITS, 40_000, 60),
  polygon: native('polygon', 'Polygon', 'plain', 'POL', units(['wei', 0], ['Gwei', 9], ['POL', 18]), 2_000_000, 60),
  // Solana history is not offered by the Vault: `/balances/history` answers 501 for it.
  solana: native('solana', 'Solana', 'solana', 'SOL', units(['lamport', 0], ['SOL', 9]), 90_000, 501, false),
  ripple: native('ripple', 'Ripple', 'plain', 'XRP', units(['drop', 0], ['XRP', 6]), 3_000_000, 144),
  usdt: erc20('USDT', 'Tether USD', '0xdAC17F958D2ee523a2206206994597C13D831ec7', 6, 20_000_000),
  usdc: erc20('USDC', 'USD Coin', '0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48', 6, 20_000_000),
  dai: erc20('DAI', 'Dai Stablecoin', '0x6B175474E89094C44Da98b954EedeAC495271d0F', 18, 50_000_000),
} satisfies Record<string, SeedCurrency>;

/** The asset the gateway shows: the currency, or `<currency>:<contract>` for a token (the search `currency` filter syntax). */
export function assetOf(currency: SeedCurrency): string {
  return currency.contractAddress === null ? currency.currency : `${currency.currency}:${currency.contractAddress}`;
}

export interface Movement {
  readonly atMicros: number;
  /** The account's total after this movement. */
  readonly total: bigint;
}

export interface SeedAccount {
  readonly id: number;
  readonly name: string;
  readonly currency: SeedCurrency;
  /** The account's index among the accounts of its currency (`index`, `account_index`). */
  readonly index: number;
  readonly status: 'ACTIVE' | 'VIEW_ONLY';
  readonly parent: number | null;
  readonly address: string;
  readonly createdBy: number;
  readonly createdOnMicros: number;
  readonly labels: ReadonlyArray<{ id: number; name: string; color: string; description: string }>;
  /** Ascending; empty for an account never funded. */
  readonly movements: readonly Movement[];
  /** The part of the current total still pending (mempool, unconfirmed). */
  readonly pending: bigint;
}

export interface LedgerEnterpriseData {
  /** In creation order (ids ascending); the search lists newest first. */
  readonly accounts: readonly SeedAccount[];
}

/** The total at an instant (the last movement at or before it); null before the first movement. */
export function totalAt(account: SeedAccount, micros = Number.POSITIVE_INFINITY): bigint | null {
  let total: bigint | null = null;
  for (const movement of account.movements) if (movement.atMicros <= micros) total = movement.total;
  return total;
}

export function currentTotal(account: SeedAccount): bigint {
  return totalAt(account) ?? 0n;
}

const ROTATION: SeedCurrency[] = [
  CURRENCIES.bitcoin,
  CURRENCIES.ethereum,
  CURRENCIES.usdt,
  CURRENCIES.solana,
  CURRENCIES.ethereum,
  CURRENCIES.usdc,
  CURRENCIES.bitcoin,
  CURRENCIES.polygon,
  CURRENCIES.dai,
  CURRENCIES.ripple,
  CURRENCIES.litecoin,
  CURRENCIES.ethereum,
];
const PURPOSES = [
  'Treasury',
  'Hot Wallet',
  'Cold Storage',
  'Trading',
  'Client Omnibus',
  'Payroll',
  'Staking',
  'Settlement',
];
const CLIENT_LABEL = { id: 1, name: 'CLIENT', color: '#FE4523', description: 'Client funds' };
const START_MICROS = Date.UTC(2023, 0, 2) * 1000;
const END_MICROS = Date.UTC(2025, 4, 31) * 1000;
const HOUR_MICROS = 3_600_000_000;

export const SEED_ACCOUNT_COUNT = 300;

export function createLedgerEnterpriseSeed(count = SEED_ACCOUNT_COUNT): LedgerEnterpriseData {
  const random = createRandom(0x1ed6e5);
  const hex = (length: number) => Array.from({ length }, () => '0123456789abcdef'[Math.floor(random() * 16)]).join('');
  const base58 = (length: number) =>
    Array.from(
      { length },
      () => '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'[Math.floor(random() * 58)],
    ).join('');
  /** A random amount in base units, up to `maxWhole` whole units, with up to 6 significant decimals. */
  const amount = (currency: SeedCurrency) => {
    const decimals = Math.min(currency.magnitude, 6);
    const whole = BigInt(Math.floor(random() * currency.maxWhole));
    const fraction = BigInt(Math.floor(random() * 10 ** decimals));
    return whole * 10n ** BigInt(currency.magnitude) + fraction * 10n ** BigInt(currency.magnitude - decimals);
  };
  const counters = new Map<string, number>();
  const accounts: SeedAccount[] = [];
  let lastEthereum: SeedAccount | null = null;
  for (let id = 1; id <= count; id += 1) {
    const currency = ROTATION[(id - 1) % ROTATION.length] as SeedCurrency;
    const index = counters.get(currency.label) ?? 0;
    counters.set(currency.label, index + 1);
    const createdOnMicros = START_MICROS + id * 2 * 24 * HOUR_MICROS + Math.floor(random() * 12 * HOUR_MICROS);
    const movements: Movement[] = [];
    // Every 17th account was never funded: no movement, no history point.
    const movementCount = id % 17 === 0 ? 0 : 1 + Math.floor(random() * 5);
    let at = createdOnMicros + HOUR_MICROS;
    for (let step = 0; step < movementCount; step += 1) {
      movements.push({ atMicros: at, total: amount(currency) });
      at += HOUR_MICROS + Math.floor(random() * ((END_MICROS - at) / 3));
    }
    const total = movements.at(-1)?.total ?? 0n;
    const address =
      currency.shape === 'bitcoin'
        ? `bc1q${hex(38)}`
        : currency.shape === 'solana'
          ? base58(44)
          : currency.currency === 'ripple'
            ? `r${base58(33)}`
            : `0x${hex(40)}`;
    const account: SeedAccount = {
      id,
      name: `${currency.label} ${PURPOSES[index % PURPOSES.length]} ${Math.floor(index / PURPOSES.length) + 1}`,
      currency,
      index,
      status: id % 23 === 0 ? 'VIEW_ONLY' : 'ACTIVE',
      // A token account is the child of an Ethereum account and shares its address.
      parent: currency.contractAddress !== null ? (lastEthereum?.id ?? null) : null,
      address: currency.contractAddress !== null && lastEthereum ? lastEthereum.address : address,
      createdBy: 1 + (id % 5),
      createdOnMicros,
      labels: id % 5 === 0 ? [CLIENT_LABEL] : [],
      movements,
      pending: random() < 0.25 ? total / 10n : 0n,
    };
    if (currency === CURRENCIES.ethereum) lastEthereum = account;
    accounts.push(account);
  }
  return { accounts };
}
