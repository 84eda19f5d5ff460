/**
 * The Blnk simulator's data in Blnk's own terms (ledgers, balances, identities), with every balance
 * kept as a timeline of applied movements so that `GET /balances/{id}/at` can be answered exactly
 * (seed.ts builds it). Times are kept as epoch microseconds, the precision Postgres stores
 * `created_at` in.
 */

/** The scale of every currency the seed uses: Blnk balances carry none since v0.15.0, so a client must be told. */
export const currencyScales: Readonly<Record<string, number>> = { USD: 2, EUR: 2, GBP: 2, NGN: 2, BTC: 8, JPY: 0 };

export interface BlnkSeedLedger {
  readonly ledgerId: string;
  readonly name: string;
  readonly createdAtMicros: number;
  readonly metaData: Record<string, unknown> | null;
}

/** One applied transaction leg on a balance: it credits or debits the balance at an instant. */
export interface BlnkMovement {
  readonly atMicros: number;
  readonly credit: bigint;
  readonly debit: bigint;
}

export interface BlnkSeedBalance {
  readonly balanceId: string;
  readonly ledgerId: string;
  /** `""` when the balance has no identity, as the server writes it. */
  readonly identityId: string;
  readonly indicator: string | null;
  readonly currency: string;
  readonly createdAtMicros: number;
  readonly metaData: Record<string, unknown> | null;
  /** Applied movements, oldest first. */
  readonly movements: readonly BlnkMovement[];
  readonly inflightCredit: bigint;
  readonly inflightDebit: bigint;
}

export interface BlnkData {
  /** In `GET /ledgers` order: created_at DESC. */
  readonly ledgers: readonly BlnkSeedLedger[];
  /** In `GET /balances` order: created_at DESC. */
  readonly balances: readonly BlnkSeedBalance[];
}

export interface BlnkTotals {
  readonly credit: bigint;
  readonly debit: bigint;
  readonly balance: bigint;
}

/** Credit, debit and book balance from the movements applied up to `atMicros` (all of them by default). */
export function totalsAt(balance: BlnkSeedBalance, atMicros = Number.POSITIVE_INFINITY): BlnkTotals {
  let credit = 0n;
  let debit = 0n;
  for (const movement of balance.movements) {
    if (movement.atMicros > atMicros) break;
    credit += movement.credit;
    debit += movement.debit;
  }
  return { credit, debit, balance: credit - debit };
}
