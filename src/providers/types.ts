import type { z } from 'zod';
import type { Money } from '../money.ts';
import type { VendorList } from '../relay/sequence.ts';
import type { SourceTransport } from './http/index.ts';

/*
 * The domain model every connector produces and every resolver consumes, and the one connector
 * interface. Vendor wire shapes never leave their connector; codegen maps GraphQL types onto these
 * interfaces.
 */

export type JsonMap = Record<string, unknown>;

export interface LedgerRef {
  /** The configured source name. */
  readonly source: string;
  /** The vendor's own ledger id (Formance ledger name, Blnk `ldg_…`). */
  readonly ledgerId: string;
}

export interface AccountRef extends LedgerRef {
  /** The vendor's own account id (Formance address, Blnk `bln_…`). */
  readonly accountId: string;
}

export interface BalanceRef extends AccountRef {
  /** The balance's id inside its account (Formance: the asset code; Blnk: the `bln_…` id). */
  readonly balanceId: string;
}

export interface LedgerModel extends LedgerRef {
  readonly name: string;
  readonly createdAt: string | null;
  readonly metadata: JsonMap | null;
}

export interface AccountModel extends AccountRef {
  /** How the vendor addresses the account (`users:001`, a Blnk indicator or balance id). */
  readonly address: string;
  readonly name: string | null;
  readonly metadata: JsonMap | null;
  /**
   * All of the account's balances, when the vendor's account read already carries them (a Blnk
   * balance is its own account; Ledger Enterprise search pages carry balances). The request's
   * balance loader is primed with them, so listing accounts with balances costs no second call.
   */
  readonly balances?: readonly BalanceModel[];
}

export interface BalanceModel extends BalanceRef {
  /** The asset code without any scale suffix (`USD`, not `USD/2`). */
  readonly asset: string;
  /** What can be spent now. */
  readonly available: Money;
  /** Amounts on hold or in flight; null where the vendor has no such notion. */
  readonly pending: Money | null;
  /** The book balance. */
  readonly total: Money;
  /** Everything ever credited; null where the call used does not tell. */
  readonly credits: Money | null;
  /** Everything ever debited; null where the call used does not tell. */
  readonly debits: Money | null;
  /** ISO 8601; null where the vendor does not tell. */
  readonly updatedAt: string | null;
  /**
   * The account holding the balance, when the vendor's balance read already describes it (a Blnk
   * balance is its own account). The request's account loader is primed with it.
   */
  readonly account?: AccountModel;
}

export interface HistoryPointModel {
  /** ISO 8601 instant the balance was read at. */
  readonly at: string;
  readonly balance: Money;
}

export interface AccountFilter {
  /** Vendor address pattern or exact address (Formance `users:`), or Blnk indicator. */
  readonly address?: string | null;
}

export interface BalanceFilter {
  /** Only balances in this asset (`USD`). */
  readonly asset?: string | null;
  /** Only balances of accounts matching this address pattern. */
  readonly address?: string | null;
}

export interface HistoryRequest {
  readonly account: AccountRef;
  readonly asset: string;
  /** The instants to read the balance at, ISO 8601, ascending. */
  readonly at: readonly string[];
}

export interface TopUpRequest {
  /** The vendor's transaction reference of the payment to top up from (Vonage `trx`). */
  readonly trx: string;
}

export interface TopUpModel {
  readonly source: string;
  readonly trx: string;
  /** `SUCCESS`, or `AUTO_RELOAD_DISABLED` when the account is not set up for top-ups. */
  readonly outcome: 'SUCCESS' | 'AUTO_RELOAD_DISABLED';
}

/** What a client can ask of a source, shown in `Query.sources`; providers/capabilities.ts derives them from a connector's methods. */
export const CAPABILITIES = ['LEDGERS', 'ACCOUNTS', 'BALANCES', 'AGGREGATED_BALANCES', 'HISTORY', 'TOP_UP'] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** A lookup result: one value or one Error per key, in key order (DataLoader's batch contract). */
export type BatchResult<T> = Promise<Array<T | Error>>;

/**
 * One vendor behind one interface. Lookup methods are batch-first: they take many keys (all of
 * this connector's source) and return one result or one Error per key, in key order, making the
 * fewest vendor calls the API allows. List methods describe the vendor's own paging and the relay
 * layer turns it into Relay connections.
 */
export interface Connector {
  readonly name: string;
  /** The vendor kind (`ledger-enterprise`), attached by `defineProvider` from the definition that built the connector. */
  readonly kind: string;
  /** Most keys one lookup batch may carry; loaders split larger batches. */
  readonly maxBatchSize: number;
  /**
   * Whether a non-empty page of `listBalances(ledger)` proves that the ledger exists (the vendor
   * filters by ledger and the mapping checks it), so `ledger(id) { balances }` needs no lookup.
   */
  readonly listProvesLedger?: boolean;

  listLedgers(): VendorList<LedgerModel>;
  getLedgers(refs: readonly LedgerRef[]): BatchResult<LedgerModel>;

  listAccounts(ledger: LedgerRef, filter: AccountFilter): VendorList<AccountModel>;
  getAccounts(refs: readonly AccountRef[]): BatchResult<AccountModel>;

  /** Every balance of a ledger, in the vendor's list order. */
  listBalances(ledger: LedgerRef, filter: BalanceFilter): VendorList<BalanceModel>;
  /** All balances of each account (an unknown account is a NotFoundError in its slot). */
  getAccountBalances(refs: readonly AccountRef[]): BatchResult<readonly BalanceModel[]>;

  /** Per-asset sums over a ledger (capability AGGREGATED_BALANCES). */
  aggregateBalances?(ledger: LedgerRef, filter: BalanceFilter): Promise<Money[]>;
  /** Point-in-time reads of one account's balance in one asset (capability HISTORY). */
  getHistory?(requests: readonly HistoryRequest[]): BatchResult<readonly HistoryPointModel[]>;
  /** Tops up the account (capability TOP_UP). A mutation: never retried. */
  topUp?(request: TopUpRequest): Promise<TopUpModel>;

  /** Releases sockets; the connector is unusable afterwards. */
  close(): Promise<void>;
}

/** The fields every `sources[i]` entry has, whatever its kind. */
export interface SourceBase {
  /** Unique; lowercase letters, digits, dashes. Shown in IDs and errors. */
  readonly name: string;
  /** The vendor API base URL (no credentials, query or fragment). */
  readonly url: string;
  /** Deadline for one upstream call, retries included. */
  readonly timeoutMs: number;
}

/**
 * A vendor kind: the schema of the kind's own fields of a `sources[i]` entry, how to turn what it
 * passed into the connector's options, and how to build the connector. The list in
 * providers/index.ts holds one per kind.
 */
export interface ProviderDefinition<Kind extends string = string, Options = unknown> {
  readonly kind: Kind;
  /**
   * The kind's fields beside the common ones (`name`, `kind`, `url`, `timeoutMs`, `retries`,
   * `maxResponseBytes`, `circuitBreaker`): the only validation of a source's options, so a bad
   * config fails at start, never mid-request. Its messages name what a field must be, never a value
   * (config-fields.ts has the building blocks). An editor completes these fields through the JSON Schema.
   */
  readonly options: z.ZodObject;
  /** The connector's options from fields `options` passed and the common ones in `base`; cannot fail. */
  read(fields: unknown, base: SourceBase): Options;
  /** Builds the connector; every HTTP client it makes shares `transport` (retries, size cap, circuit breaker). */
  create(name: string, options: Options, transport?: SourceTransport): Connector;
}

/** What a vendor folder writes: its definition, whose `create` leaves the connector's kind to `defineProvider`. */
export interface ProviderSpec<Kind extends string, Fields extends z.ZodRawShape, Options> {
  readonly kind: Kind;
  readonly options: z.ZodObject<Fields>;
  read(fields: z.output<z.ZodObject<Fields>>, base: SourceBase): Options;
  create(name: string, options: Options, transport?: SourceTransport): Omit<Connector, 'kind'>;
}

/** A vendor kind's definition, checked where it is written; the connectors it creates carry its `kind`. */
export function defineProvider<const Kind extends string, Fields extends z.ZodRawShape, Options>(
  spec: ProviderSpec<Kind, Fields, Options>,
): ProviderDefinition<Kind, Options> {
  return {
    kind: spec.kind,
    options: spec.options,
    // Only the configuration calls this, with what `options` passed.
    read: (fields, base) => spec.read(fields as z.output<z.ZodObject<Fields>>, base),
    // The connector object itself, kind added: a copy would lose a class's prototype methods (and so capabilities).
    create: (name, options, transport) => Object.assign(spec.create(name, options, transport), { kind: spec.kind }),
  };
}
