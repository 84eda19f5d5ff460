import { createRandom } from '../random.ts';
/**
 * The Formance simulator's state and its deterministic seed. Balances are never typed in: the seed
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

/** The seed's postings run from here… */
export const SEED_FIRST_POSTING = '2025-01-06T09:00:00Z';
/** …to here, evenly spread in booking order. */
export const SEED_LAST_POSTING = '2026-11-01T09:00:00Z';

/** Dates a ledger's postings in booking order, evenly from `first` to `last`, at whole seconds (deterministic). */
function spreadPostings(ledger: Ledger, first = SEED_FIRST_POSTING, last = SEED_LAST_POSTING): void {
  const start = BigInt(Date.parse(first) / 1000);
  const span = BigInt(Date.parse(last) / 1000) - start;
  const steps = BigInt(Math.max(1, ledger.postings.length - 1));
  ledger.postings.forEach((posting, index) => {
    posting.micros = (start + (BigInt(index) * span) / steps) * 1_000_000n;
  });
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

const pad = (value: number) => String(value).padStart(4, '0');

function seedMain(): Ledger {
  const ledger = createLedger(1, 'main', DEFAULT_FEATURES, { region: 'eu-west-1' });
  const next = createRandom(20250106);
  const amount = (min: number, max: number) => BigInt(min + Math.floor(next() * (max - min)));
  const countries = ['FR', 'DE', 'US', 'JP', 'ES'];
  for (let merchant = 1; merchant <= 30; merchant += 1) {
    touch(ledger, `merchants:${pad(merchant)}`).metadata = {
      name: `Merchant ${merchant}`,
      category: merchant % 2 ? 'retail' : 'travel',
    };
  }
  touch(ledger, 'platform:fees').metadata = { purpose: 'card fees' };
  for (let user = 1; user <= 270; user += 1) {
    const address = `users:${pad(user)}`;
    post(ledger, 'world', address, 'USD/2', amount(1_000, 2_500_000));
    if (user % 3 === 0) post(ledger, 'world', address, 'EUR/2', amount(500, 900_000));
    if (user % 5 === 0) post(ledger, 'world', address, 'JPY', amount(100, 5_000_000));
    if (user % 7 === 0) post(ledger, 'world', address, 'BTC/8', amount(10_000, 90_000_000));
    if (user % 4 === 0) {
      // A card payment: the user pays a merchant, the platform keeps a 2% fee.
      const price = amount(100, 900);
      const merchant = `merchants:${pad(1 + ((user / 4) % 30))}`;
      post(ledger, address, merchant, 'USD/2', price);
      post(ledger, merchant, 'platform:fees', 'USD/2', price / 50n);
    }
    if (user % 10 === 0)
      touch(ledger, address).metadata = { kyc: 'verified', country: countries[user % countries.length] as string };
  }
  // users:0250 spent everything: a zero balance still lists.
  const spent = touch(ledger, 'users:0250').volumes.get('USD/2');
  if (spent) post(ledger, 'users:0250', 'merchants:0001', 'USD/2', spent.input - spent.output);
  // Volumes beyond 2^53 in one account of the big ledger as well.
  post(ledger, 'world', 'platform:fees', 'BTC/8', 9_007_199_254_740_993n);
  spreadPostings(ledger);
  return ledger;
}

function seedTreasury(): Ledger {
  const ledger = createLedger(2, 'treasury', DEFAULT_FEATURES, { owner: 'finance' });
  post(ledger, 'world', 'treasury:cold:btc', 'BTC/8', 123_456_789_012_345_678_901n);
  post(ledger, 'treasury:cold:btc', 'treasury:hot:btc', 'BTC/8', 1_250_000_000n);
  post(ledger, 'world', 'banks:chase:usd', 'USD/2', 18_014_398_509_481_985n);
  post(ledger, 'banks:chase:usd', 'treasury:fx', 'USD/2', 500_000_000n);
  post(ledger, 'world', 'banks:deutsche:eur', 'EUR/2', 7_300_000_000n);
  post(ledger, 'banks:deutsche:eur', 'treasury:fx', 'EUR/2', 120_000_000n);
  post(ledger, 'world', 'treasury:fx', 'JPY', 98_765_432_109n);
  post(ledger, 'world', 'treasury:fx', 'USDC_BASE/6', 2_500_000_000n);
  touch(ledger, 'banks:chase:usd').metadata = { bank: 'JPMorgan Chase', iban: 'US00CHAS0000000001' };
  touch(ledger, 'banks:deutsche:eur').metadata = { bank: 'Deutsche Bank', iban: 'DE89370400440532013000' };
  spreadPostings(ledger);
  return ledger;
}

function seedSandbox(): Ledger {
  // Created with the minimal feature set: no moves history, so no `expand=volumes` and no v1 balances.
  const ledger = createLedger(3, 'sandbox', MINIMAL_FEATURES, { env: 'test' });
  post(ledger, 'world', 'test:alice', 'COIN', 1_500n);
  post(ledger, 'world', 'test:alice', 'USD/2', 10_050n);
  post(ledger, 'test:alice', 'test:bob', 'COIN', 400n);
  post(ledger, 'world', 'test:bob', 'USD/2', 99n);
  // An account that only ever got metadata: it exists, with no balances.
  touch(ledger, 'test:carol').metadata = { note: 'no postings yet' };
  spreadPostings(ledger);
  return ledger;
}

/** The seed: `main` (303 accounts), `treasury` (amounts far above 2^53) and `sandbox` (minimal features). */
export function createSeedLedgers(): Ledger[] {
  return [seedMain(), seedTreasury(), seedSandbox()];
}
