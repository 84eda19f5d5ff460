/**
 * The Formance simulator's state (its seed is seed.ts). Balances are never typed in: the seed
 * books postings (`source → destination`), so every account keeps `balance = input − output` and
 * `world`, the ledger's source of money, goes negative exactly as in a real ledger.
 */
export interface Volumes {
  input: bigint;
  output: bigint;
}

/**
 * One booked posting. Its date is the transaction's timestamp, which the ledger stores as both the
 * moves' effective date and (booked at that moment) their insertion date, in microseconds since the
 * Unix epoch: the ledger keeps dates at Go's `time.Microsecond` precision (go-libs v4 time).
 */
export interface Posting {
  micros: bigint;
  readonly source: string;
  readonly destination: string;
  readonly asset: string;
  readonly amount: bigint;
}

/** One side of a posting as an account sees it (the ledger's `moves` rows, `is_source` true for the output side). */
export interface Move {
  readonly posting: Posting;
  readonly isSource: boolean;
}

export interface Account {
  readonly address: string;
  metadata: Record<string, string>;
  /** Per asset code (`USD/2`): everything ever moved, kept equal to the sums of `moves`. */
  readonly volumes: Map<string, Volumes>;
  /** Per asset code: the account's moves in booking order (which is date order). */
  readonly moves: Map<string, Move[]>;
  readonly firstUsage: string;
  readonly insertionDate: string;
  updatedAt: string;
}

export interface Ledger {
  readonly id: number;
  readonly name: string;
  readonly bucket: string;
  readonly addedAt: string;
  readonly metadata: Record<string, string>;
  /** Ledger features (`MOVES_HISTORY: ON|OFF`, …), fixed at creation. */
  readonly features: Record<string, string>;
  readonly accounts: Map<string, Account>;
  /** Every posting in booking order. */
  readonly postings: Posting[];
}

/** `features.DefaultFeatures` of ledger v2.4.6 (pkg/features/features.go). */
export const DEFAULT_FEATURES: Readonly<Record<string, string>> = {
  ACCOUNT_METADATA_HISTORY: 'SYNC',
  HASH_LOGS: 'SYNC',
  MOVES_HISTORY: 'ON',
  MOVES_HISTORY_POST_COMMIT_EFFECTIVE_VOLUMES: 'SYNC',
  TRANSACTION_METADATA_HISTORY: 'SYNC',
};

/** `features.MinimalFeatureSet`: a ledger created this way cannot expand volumes. */
export const MINIMAL_FEATURES: Readonly<Record<string, string>> = {
  ACCOUNT_METADATA_HISTORY: 'DISABLED',
  HASH_LOGS: 'DISABLED',
  MOVES_HISTORY: 'OFF',
  MOVES_HISTORY_POST_COMMIT_EFFECTIVE_VOLUMES: 'DISABLED',
  TRANSACTION_METADATA_HISTORY: 'DISABLED',
};

const EPOCH = Date.parse('2025-01-06T09:00:00Z');
/** Go's RFC 3339 rendering of a whole-second UTC time (no `.000`). */
const at = (seconds: number) => new Date(EPOCH + seconds * 1000).toISOString().replace('.000Z', 'Z');

export function createLedger(
  id: number,
  name: string,
  features: Readonly<Record<string, string>>,
  metadata: Record<string, string> = {},
): Ledger {
  return {
    id,
    name,
    bucket: name,
    addedAt: at(id * 60),
    metadata,
    features: { ...features },
    accounts: new Map(),
    postings: [],
  };
}

/** The account at `address`, created on first use as the ledger does (accounts are implicit). */
export function touch(ledger: Ledger, address: string): Account {
  let account = ledger.accounts.get(address);
  if (!account) {
    const stamp = at(ledger.id * 60 + ledger.accounts.size + 1);
    account = {
      address,
      metadata: {},
      volumes: new Map(),
      moves: new Map(),
      firstUsage: stamp,
      insertionDate: stamp,
      updatedAt: stamp,
    };
    ledger.accounts.set(address, account);
  }
  return account;
}

/**
 * Books one posting: the source's output and the destination's input grow by `amount`, and each
 * side is kept as a move. Dated `micros`, or one microsecond after the ledger's last posting (the
 * seed dates its postings afterwards with `spreadPostings`).
 */
export function post(
  ledger: Ledger,
  source: string,
  destination: string,
  asset: string,
  amount: bigint,
  micros?: bigint,
): void {
  const posting: Posting = {
    micros: micros ?? (ledger.postings.at(-1)?.micros ?? 0n) + 1n,
    source,
    destination,
    asset,
    amount,
  };
  ledger.postings.push(posting);
  const book = (address: string, isSource: boolean) => {
    const account = touch(ledger, address);
    const volumes = account.volumes.get(asset) ?? { input: 0n, output: 0n };
    if (isSource) volumes.output += amount;
    else volumes.input += amount;
    account.volumes.set(asset, volumes);
    const moves = account.moves.get(asset) ?? [];
    moves.push({ posting, isSource });
    account.moves.set(asset, moves);
  };
  book(source, true);
  book(destination, false);
}

/**
 * The volumes of an account in one asset over the moves dated within `[from, to]` (either bound
 * null: open), as the server sums its `moves` table for `/v2/{ledger}/volumes?startTime&endTime`
 * (internal/storage/ledger/resource_volumes.go: `date <= pit`, `date >= oot`). Null when no move
 * falls in the window: the server has no row then.
 */
export function volumesBetween(
  account: Account,
  asset: string,
  from: bigint | null,
  to: bigint | null,
): Volumes | null {
  let found = false;
  const volumes = { input: 0n, output: 0n };
  for (const { posting, isSource } of account.moves.get(asset) ?? []) {
    if ((from !== null && posting.micros < from) || (to !== null && posting.micros > to)) continue;
    found = true;
    if (isSource) volumes.output += posting.amount;
    else volumes.input += posting.amount;
  }
  return found ? volumes : null;
}

/** Accounts in the order every list endpoint returns them: address ascending (byte order). */
export function accountsInOrder(ledger: Ledger): Account[] {
  return [...ledger.accounts.values()].sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
}
