import { createRandom } from '../random.ts';
import type { BlnkData, BlnkSeedBalance, BlnkSeedLedger } from './data.ts';

/**
 * The Blnk simulator's seed: deterministic, realistic data (system balances in a treasury ledger,
 * merchants with payouts in flight, customer wallets with identities) built from movements.
 */

const FIRST_NAMES = [
  'Ada',
  'Chinedu',
  'Amara',
  'Tunde',
  'Zainab',
  'Kwame',
  'Ngozi',
  'Emeka',
  'Fatima',
  'Sade',
  'Lena',
  'Marco',
  'Priya',
  'Jonas',
  'Aiko',
  'Tomás',
];
const LAST_NAMES = [
  'Okafor',
  'Adeyemi',
  'Bello',
  'Eze',
  'Mensah',
  'Okonkwo',
  'Ibrahim',
  'Balogun',
  'Schulz',
  'Rossi',
  'Sharma',
  'Tanaka',
  'García',
  'Nwosu',
];
const MICROS_PER_HOUR = 3_600_000_000;

/** Builds the seed. Pure: the same data on every call. */
export function createBlnkSeed(): BlnkData {
  const random = createRandom(0xb1a7c);
  const int = (below: number) => Math.floor(random() * below);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const uuid = () => {
    const bytes = Array.from({ length: 16 }, () => int(256));
    bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40; // version 4
    bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC 4122 variant
    const hex = bytes.map((byte) => byte.toString(16).padStart(2, '0')).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
  const micros = (iso: string) => Date.parse(iso) * 1000 + int(1000);

  const ledger = (name: string, created: string, metaData: Record<string, unknown> | null): BlnkSeedLedger => ({
    ledgerId: `ldg_${uuid()}`,
    name,
    createdAtMicros: micros(created),
    metaData,
  });
  const wallets = ledger('Customer Wallets', '2024-01-15T09:12:03.412Z', { region: 'NG', product: 'consumer-wallets' });
  const merchants = ledger('Merchant Settlements', '2024-01-22T14:40:51.027Z', { settlement_cycle: 'T+1' });
  const treasury = ledger('Treasury & Reserves', '2024-02-02T07:05:19.880Z', { owner: 'finance-ops' });
  const sandbox = ledger('FX Sandbox', '2024-03-10T16:21:44.306Z', null);

  const balances: BlnkSeedBalance[] = [];
  let clock = Date.parse('2024-02-03T08:00:00Z') * 1000; // after the ledgers that hold balances
  interface Spec {
    ledger: BlnkSeedLedger;
    currency: string;
    /** Movement amounts in minor units: positive credits, negative debits, applied in order. */
    amounts: readonly bigint[];
    indicator?: string | null;
    identityId?: string;
    metaData?: Record<string, unknown> | null;
    inflightCredit?: bigint;
    inflightDebit?: bigint;
  }
  const add = (spec: Spec) => {
    clock += 2 * MICROS_PER_HOUR + int(3_600_000_000); // distinct, increasing created_at
    const createdAtMicros = clock;
    let at = createdAtMicros;
    const movements = spec.amounts.map((amount) => {
      at += MICROS_PER_HOUR + int(20 * MICROS_PER_HOUR);
      return { atMicros: at, credit: amount > 0n ? amount : 0n, debit: amount < 0n ? -amount : 0n };
    });
    balances.push({
      balanceId: `bln_${uuid()}`,
      ledgerId: spec.ledger.ledgerId,
      identityId: spec.identityId ?? '',
      indicator: spec.indicator ?? null,
      currency: spec.currency,
      createdAtMicros,
      metaData: spec.metaData ?? null,
      movements,
      inflightCredit: spec.inflightCredit ?? 0n,
      inflightDebit: spec.inflightDebit ?? 0n,
    });
  };

  // Treasury: system balances. @World is where money enters from, so it runs deeply negative.
  add({
    ledger: treasury,
    currency: 'NGN',
    indicator: '@World',
    amounts: [-9_000_000_000_000_000_000n, -876_543_210_987_654_321n],
  });
  add({ ledger: treasury, currency: 'USD', indicator: '@World', amounts: [-125_000_000_00n, -37_512_88n] });
  add({
    ledger: treasury,
    currency: 'BTC',
    indicator: '@ColdStorage',
    metaData: { name: 'BTC cold storage', custodian: 'in-house' },
    amounts: [100_000_000_000_000_000_000n, 23_456_789_012_345_678_901n],
  });
  add({
    ledger: treasury,
    currency: 'JPY',
    indicator: '@ReserveJPY',
    metaData: { name: 'JPY reserve' },
    amounts: [9_800_000_000n, -120_000_000n],
  });
  add({
    ledger: treasury,
    currency: 'USD',
    indicator: '@FeesUSD',
    metaData: { name: 'Fee income (USD)' },
    amounts: [1_250_75n, 980_10n, 2_044_00n],
  });
  add({
    ledger: treasury,
    currency: 'EUR',
    indicator: '@Revenue',
    amounts: [48_120_00n, 3_100_50n],
    inflightCredit: 75_00n,
  });

  // Merchant settlements: named merchants with pending payouts in flight.
  const shops = [
    'Lagos Bistro',
    'Accra Threads',
    'Nairobi Tech Hub',
    'Berlin Bakery',
    'Kano Textiles',
    'Abuja Pharmacy',
  ];
  for (let index = 0; index < 30; index += 1) {
    const currency = pick(['NGN', 'NGN', 'USD', 'EUR', 'GBP']);
    const name = `${pick(shops)} #${index + 1}`;
    const credit = BigInt(50_000 + int(90_000_000));
    const debit = BigInt(1 + int(Number(credit / 2n)));
    add({
      ledger: merchants,
      currency,
      indicator: `@merchant-${String(index + 1).padStart(3, '0')}-${currency.toLowerCase()}`,
      metaData: { name, mcc: String(5812 + int(40)) },
      amounts: [credit, -debit],
      inflightDebit: index % 4 === 0 ? BigInt(int(Number(credit - debit))) : 0n,
    });
  }

  // Customer wallets: one identity with USD, EUR and BTC, one overdraft, then 296 ordinary wallets.
  const ada = `idt_${uuid()}`;
  add({
    ledger: wallets,
    currency: 'USD',
    identityId: ada,
    metaData: { name: 'Ada Okafor (USD)', kyc_tier: 3 },
    amounts: [500_000n, -120_050n, 75_25n, -4_999n],
    inflightDebit: 20_000n,
    inflightCredit: 5_000n,
  });
  add({
    ledger: wallets,
    currency: 'EUR',
    identityId: ada,
    metaData: { name: 'Ada Okafor (EUR)', kyc_tier: 3 },
    amounts: [80_000n, -12_345n],
  });
  add({
    ledger: wallets,
    currency: 'BTC',
    identityId: ada,
    metaData: { name: 'Ada Okafor (BTC)', kyc_tier: 3 },
    amounts: [150_000_000n, -25_000_001n],
    inflightDebit: 1_000_000n,
  });
  add({
    ledger: wallets,
    currency: 'NGN',
    identityId: `idt_${uuid()}`,
    indicator: '@overdraft-tunde-eze',
    metaData: { name: 'Tunde Eze', overdraft_limit: 2_000_000 },
    amounts: [500_000n, -1_255_000n],
  });
  for (let index = 0; index < 296; index += 1) {
    const currency = pick(['NGN', 'NGN', 'NGN', 'USD', 'USD', 'EUR', 'GBP', 'JPY']);
    const person = `${pick(FIRST_NAMES)} ${pick(LAST_NAMES)}`;
    const reference = `CUS-${String(10_000 + index)}`;
    const amounts: bigint[] = [];
    let running = 0n;
    for (let step = 1 + int(5); step > 0; step -= 1) {
      const spend = running > 0n && int(3) === 0;
      const amount = spend ? -BigInt(1 + int(Number(running))) : BigInt(100 + int(5_000_000));
      running += amount;
      amounts.push(amount);
    }
    const flavour = index % 3;
    add({
      ledger: wallets,
      currency,
      identityId: flavour === 1 ? '' : `idt_${uuid()}`,
      indicator: flavour === 2 ? `@wallet-${reference.toLowerCase()}-${currency.toLowerCase()}` : null,
      metaData:
        flavour === 0 ? { name: person, customer_ref: reference } : flavour === 1 ? null : { customer_ref: reference },
      amounts,
      inflightCredit: index % 7 === 0 ? BigInt(int(250_000)) : 0n,
      inflightDebit: index % 5 === 0 && running > 0n ? BigInt(int(Number(running))) : 0n,
    });
  }

  const newestFirst = <T extends { createdAtMicros: number }>(items: T[]) =>
    items.sort((a, b) => b.createdAtMicros - a.createdAtMicros);
  return { ledgers: newestFirst([wallets, merchants, treasury, sandbox]), balances: newestFirst(balances) };
}
