import { createRandom } from '../random.ts';
import { createLedger, DEFAULT_FEATURES, MINIMAL_FEATURES, post, touch, type Ledger } from './data.ts';

/**
 * The Formance simulator's deterministic seed: three ledgers booked posting by posting, then dated
 * evenly over the seed's span.
 */

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
