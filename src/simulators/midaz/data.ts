/**
 * The Midaz simulator's state: organizations, ledgers, accounts and balances in Midaz's own terms,
 * with every balance built by booking transactions in time order through the v3.8.0 rules
 * (components/ledger/internal/adapters/redis/transaction/scripts/balance_atomic_operation.lua):
 * a debit past zero on an overdraft-enabled balance floors `available` at 0, accrues the deficit
 * in `overdraftUsed` and debits the system-managed `overdraft` companion; a credit repays it first.
 * Each balance keeps its operations (`available`/`onHold` after each one), so the history endpoints
 * answer from the same timeline the current state came from. Times are epoch microseconds.
 */

export interface MidazOperation {
  readonly atMicros: number;
  readonly available: bigint;
  readonly onHold: bigint;
  readonly version: number;
}

export interface MidazBalanceSettings {
  readonly allowOverdraft: boolean;
  readonly overdraftLimitEnabled: boolean;
  readonly overdraftLimit?: string;
  readonly balanceScope?: string;
}

export interface MidazSeedOrganization {
  readonly id: string;
  readonly legalName: string;
  readonly doingBusinessAs: string | null;
  readonly legalDocument: string;
  readonly city: string;
  readonly createdAtMicros: number;
}

export interface MidazSeedLedger {
  readonly id: string;
  readonly organizationId: string;
  readonly name: string;
  readonly createdAtMicros: number;
  readonly metadata: Record<string, unknown> | null;
}

export interface MidazSeedAccount {
  readonly id: string;
  readonly organizationId: string;
  readonly ledgerId: string;
  readonly name: string;
  /** As stored: the server writes the account id when no alias was given. */
  readonly alias: string;
  readonly assetCode: string;
  readonly type: string;
  readonly createdAtMicros: number;
  readonly metadata: Record<string, unknown> | null;
}

export interface MidazSeedBalance {
  readonly id: string;
  readonly organizationId: string;
  readonly ledgerId: string;
  readonly accountId: string;
  readonly alias: string;
  readonly key: string;
  readonly assetCode: string;
  readonly accountType: string;
  readonly direction: 'credit' | 'debit';
  readonly settings: MidazBalanceSettings | null;
  readonly createdAtMicros: number;
  /** Applied operations, oldest first; the current available/onHold are the last one's. */
  readonly operations: MidazOperation[];
  /** Current overdraft in use (not part of the operation snapshots the history query reads). */
  overdraftUsed: bigint;
}

export interface MidazData {
  readonly organizations: readonly MidazSeedOrganization[];
  readonly ledgers: readonly MidazSeedLedger[];
  readonly accounts: readonly MidazSeedAccount[];
  readonly balances: readonly MidazSeedBalance[];
}

/** The current state of a balance. */
export function currentOf(balance: MidazSeedBalance): {
  available: bigint;
  onHold: bigint;
  version: number;
  updatedAtMicros: number;
} {
  const last = balance.operations.at(-1);
  return last
    ? { available: last.available, onHold: last.onHold, version: last.version, updatedAtMicros: last.atMicros }
    : { available: 0n, onHold: 0n, version: 0, updatedAtMicros: balance.createdAtMicros };
}

/** The last operation at or before an instant (`created_at <= timestamp`), or null. */
export function operationAt(balance: MidazSeedBalance, atMicros: number): MidazOperation | null {
  let found: MidazOperation | null = null;
  for (const operation of balance.operations) {
    if (operation.atMicros > atMicros) break;
    found = operation;
  }
  return found;
}

/** A UUIDv7 (RFC 9562) for a creation time: 48-bit Unix milliseconds, then random bits, so ids sort by time. */
export function uuidv7(millis: number, random: () => number): string {
  const hex = millis.toString(16).padStart(12, '0');
  const bits = Array.from({ length: 10 }, () =>
    Math.floor(random() * 256)
      .toString(16)
      .padStart(2, '0'),
  ).join('');
  const variant = ((parseInt(bits.slice(3, 4), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${bits.slice(0, 3)}-${variant}${bits.slice(4, 7)}-${bits.slice(8, 20)}`;
}

export interface Leg {
  readonly balance: MidazSeedBalance;
  /** `hold` moves an amount from available to on hold (a pending transaction's source). */
  readonly kind: 'credit' | 'debit' | 'hold';
  readonly amount: bigint;
}

export interface Booking {
  readonly atMicros: number;
  readonly legs: readonly Leg[];
}

/**
 * Applies bookings in time order, appending one operation per touched balance. `companions` maps
 * an overdraft-enabled balance to its `overdraft` companion (direction debit: debits raise it).
 */
export function applyBookings(
  bookings: readonly Booking[],
  companions: ReadonlyMap<MidazSeedBalance, MidazSeedBalance>,
): void {
  const state = new Map<MidazSeedBalance, { available: bigint; onHold: bigint }>();
  const stateOf = (balance: MidazSeedBalance) => {
    let entry = state.get(balance);
    if (!entry) {
      entry = { available: 0n, onHold: 0n };
      state.set(balance, entry);
    }
    return entry;
  };
  const record = (balance: MidazSeedBalance, atMicros: number) => {
    const { available, onHold } = stateOf(balance);
    balance.operations.push({ atMicros, available, onHold, version: balance.operations.length + 1 });
  };
  for (const booking of [...bookings].sort((a, b) => a.atMicros - b.atMicros)) {
    for (const leg of booking.legs) {
      const { balance } = leg;
      const entry = stateOf(balance);
      if (booking.atMicros < balance.createdAtMicros)
        throw new Error(`booking before balance ${balance.alias}#${balance.key} existed`);
      const companion = companions.get(balance);
      if (leg.kind === 'hold') {
        entry.available -= leg.amount;
        entry.onHold += leg.amount;
        if (entry.available < 0n) throw new Error(`hold beyond available on ${balance.alias}`);
      } else if (leg.kind === 'credit') {
        // biome-ignore lint/complexity/useMathMinMax: bigints, which Math.min cannot take
        const repay = balance.overdraftUsed < leg.amount ? balance.overdraftUsed : leg.amount;
        entry.available += leg.amount - repay;
        if (repay > 0n && companion) {
          balance.overdraftUsed -= repay;
          stateOf(companion).available -= repay;
          record(companion, booking.atMicros);
        }
      } else {
        entry.available -= leg.amount;
        if (entry.available < 0n && balance.accountType !== 'external') {
          if (!companion || !balance.settings?.allowOverdraft)
            throw new Error(`insufficient funds on ${balance.alias}#${balance.key}`);
          balance.overdraftUsed += -entry.available;
          stateOf(companion).available += -entry.available;
          entry.available = 0n;
          record(companion, booking.atMicros);
        }
      }
      record(balance, booking.atMicros);
    }
  }
}
