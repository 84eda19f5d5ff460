import { createRandom } from '../random.ts';
import {
  applyBookings,
  uuidv7,
  type Booking,
  type MidazBalanceSettings,
  type MidazData,
  type MidazSeedAccount,
  type MidazSeedBalance,
  type MidazSeedLedger,
  type MidazSeedOrganization,
} from './data.ts';

/** An hour in microseconds, the unit of the seed's times. */
export const HOUR = 3_600_000_000;

export interface AccountSpec {
  name: string;
  alias: string | null;
  asset: string;
  type?: string;
  atMicros: number;
  metadata?: Record<string, unknown> | null;
  overdraftLimit?: string;
}

/**
 * What the Midaz seed is written with: records made as the server makes them (time-ordered UUIDv7
 * ids, an account's `default` balance, an overdraft's companion) and bookings applied in time
 * order by `finish`. Every random draw comes from one PRNG in call order, so the same calls give
 * the same data on every run.
 */
export function createMidazSeedBuilder(seed: number) {
  const random = createRandom(seed);
  const int = (below: number) => Math.floor(random() * below);
  const micros = (iso: string) => Date.parse(iso) * 1000 + int(1000);
  const id = (atMicros: number) => uuidv7(Math.floor(atMicros / 1000), random);
  const ledgers: MidazSeedLedger[] = [];
  const accounts: MidazSeedAccount[] = [];
  const balances: MidazSeedBalance[] = [];
  const bookings: Booking[] = [];
  const companions = new Map<MidazSeedBalance, MidazSeedBalance>();

  let clock = 0;

  /** A ledger; the accounts opened next (`external`, `next`) follow from an hour after it. */
  const ledger = (organizationId: string, name: string, iso: string, metadata: Record<string, unknown> | null) => {
    const createdAtMicros = micros(iso);
    const item = { id: id(createdAtMicros), organizationId, name, createdAtMicros, metadata };
    ledgers.push(item);
    clock = createdAtMicros + HOUR;
    return item;
  };
  /** A balance of an account beside its `default` one (`account` makes that). */
  const balance = (
    account: MidazSeedAccount,
    key: string,
    createdAtMicros: number,
    direction: 'credit' | 'debit' = 'credit',
    settings: MidazBalanceSettings | null = null,
  ) => {
    const item: MidazSeedBalance = {
      id: id(createdAtMicros),
      organizationId: account.organizationId,
      ledgerId: account.ledgerId,
      accountId: account.id,
      alias: account.alias,
      key,
      assetCode: account.assetCode,
      accountType: account.type,
      direction,
      settings,
      createdAtMicros,
      operations: [],
      overdraftUsed: 0n,
    };
    balances.push(item);
    return item;
  };
  /** An account and its `default` balance, created a few milliseconds later, as account creation does. */
  const account = (on: MidazSeedLedger, spec: AccountSpec) => {
    const accountId = id(spec.atMicros);
    const item: MidazSeedAccount = {
      id: accountId,
      organizationId: on.organizationId,
      ledgerId: on.id,
      name: spec.name,
      alias: spec.alias ?? accountId,
      assetCode: spec.asset,
      type: spec.type ?? 'deposit',
      createdAtMicros: spec.atMicros,
      metadata: spec.metadata ?? null,
    };
    accounts.push(item);
    const overdraft =
      spec.overdraftLimit === undefined
        ? null
        : { allowOverdraft: true, overdraftLimitEnabled: true, overdraftLimit: spec.overdraftLimit };
    const main = balance(item, 'default', spec.atMicros + 2_000 + int(3_000), 'credit', overdraft);
    if (overdraft) {
      // Enabling overdraft auto-creates the internal companion (command/update_balance_overdraft.go).
      companions.set(
        main,
        balance(item, 'overdraft', main.createdAtMicros + 1_000, 'debit', {
          allowOverdraft: false,
          overdraftLimitEnabled: false,
          balanceScope: 'internal',
        }),
      );
    }
    return { account: item, main };
  };
  /** A transaction: its legs apply together at `atMicros` when the seed is finished. */
  const book = (atMicros: number, ...legs: Booking['legs']) => bookings.push({ atMicros, legs });
  /** Moves `amount` from one balance to another. */
  const move = (atMicros: number, from: MidazSeedBalance, to: MidazSeedBalance, amount: bigint) =>
    book(atMicros, { balance: from, kind: 'debit', amount }, { balance: to, kind: 'credit', amount });

  /** The ledger's `@external/<asset>` account, a minute after the previous one. */
  const external = (on: MidazSeedLedger, asset: string) => {
    clock += 60_000_000;
    return account(on, {
      name: `External ${asset}`,
      alias: `@external/${asset}`,
      asset,
      type: 'external',
      atMicros: clock,
    }).main;
  };
  /** When the next account opens: 8 to 20 hours after the previous one. */
  const next = () => (clock += 8 * HOUR + int(12 * HOUR));

  return {
    int,
    micros,
    ledger,
    account,
    balance,
    external,
    next,
    book,
    move,
    /** Applies every booking and returns the data. */
    finish(organizations: MidazSeedOrganization[]): MidazData {
      applyBookings(bookings, companions);
      return { organizations, ledgers, accounts, balances };
    },
  };
}
