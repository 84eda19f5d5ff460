import type { MidazData } from './data.ts';
import { createMidazSeedBuilder, HOUR } from './seed-builder.ts';

/**
 * The deterministic seed: a Brazilian retail bank's organization with a retail ledger of more than
 * 250 accounts (BRL and USD, additional balance keys, a pending hold, an overdrawn account with its
 * `overdraft` companion, external accounts that go negative), a treasury ledger with amounts far
 * above 2^53 minor units (BTC at 8 decimals, BRL) and an empty sandbox ledger; plus a second
 * organization whose data must never show through the first one's endpoints.
 */

/** The organization the demo and the tests read. */
export const MIDAZ_DEMO_ORGANIZATION_ID = '0192f755-1000-7020-bfab-8567773d8dba';
/** Another tenant's organization on the same server. */
export const MIDAZ_OTHER_ORGANIZATION_ID = '0193868b-5ae0-7422-bc38-325e4b884bfa';
/** Decimal places of every asset the seed uses: Midaz balances carry none, so a client must be told. */
export const MIDAZ_ASSET_SCALES: Readonly<Record<string, number>> = { BRL: 2, USD: 2, EUR: 2, BTC: 8 };

const FIRST = [
  'Ana',
  'Bruno',
  'Carla',
  'Diego',
  'Eduarda',
  'Felipe',
  'Gabriela',
  'Heitor',
  'Isabela',
  'Joao',
  'Larissa',
  'Marcos',
  'Natalia',
  'Otavio',
  'Paula',
  'Rafael',
  'Sofia',
  'Thiago',
  'Vitoria',
  'Yuri',
];
const LAST = [
  'Silva',
  'Santos',
  'Oliveira',
  'Souza',
  'Lima',
  'Pereira',
  'Costa',
  'Rodrigues',
  'Almeida',
  'Nascimento',
  'Carvalho',
  'Ribeiro',
];

export function createMidazSeed(): MidazData {
  const { int, micros, ledger, account, balance, external, next, book, move, finish } = createMidazSeedBuilder(0x3a1d);

  const organizations = [
    {
      id: MIDAZ_DEMO_ORGANIZATION_ID,
      legalName: 'Banco Aurora S.A.',
      doingBusinessAs: 'Aurora',
      legalDocument: '12345678000190',
      city: 'São Paulo',
      createdAtMicros: micros('2024-11-04T13:20:00Z'),
    },
    {
      id: MIDAZ_OTHER_ORGANIZATION_ID,
      legalName: 'Cooperativa Horizonte',
      doingBusinessAs: null,
      legalDocument: '98765432000110',
      city: 'Curitiba',
      createdAtMicros: micros('2024-12-02T08:45:00Z'),
    },
  ];

  // — Banco Aurora: retail ledger —
  const retail = ledger(MIDAZ_DEMO_ORGANIZATION_ID, 'Retail Banking', '2025-01-10T12:00:00Z', {
    region: 'BR',
    product: 'checking',
  });
  const retailBRL = external(retail, 'BRL');
  const retailUSD = external(retail, 'USD');

  const thousand = account(retail, {
    name: 'Maria Oliveira',
    alias: '@maria_oliveira',
    asset: 'BRL',
    atMicros: next(),
    metadata: { segment: 'retail', kyc: 'full' },
  });
  move(thousand.main.createdAtMicros + HOUR, retailBRL, thousand.main, 100_000n); // "1000": no fraction on the wire
  const half = account(retail, { name: 'Pedro Lima', alias: '@pedro_lima', asset: 'BRL', atMicros: next() });
  move(half.main.createdAtMicros + HOUR, retailBRL, half.main, 1_000_050n); // "10000.5": trailing zero dropped
  const joao = account(retail, {
    name: 'João Pereira',
    alias: '@joao_pereira',
    asset: 'BRL',
    atMicros: next(),
    overdraftLimit: '2000.00',
    metadata: { segment: 'retail' },
  });
  move(joao.main.createdAtMicros + HOUR, retailBRL, joao.main, 50_000n);
  move(joao.main.createdAtMicros + 30 * HOUR, joao.main, retailBRL, 175_075n); // overdrawn by 1250.75
  const carla = account(retail, { name: 'Carla Costa', alias: '@carla_costa', asset: 'BRL', atMicros: next() });
  move(carla.main.createdAtMicros + HOUR, retailBRL, carla.main, 250_000n);
  book(carla.main.createdAtMicros + 5 * HOUR, { balance: carla.main, kind: 'hold', amount: 4_550n }); // a pending payment

  for (let index = 0; index < 272; index += 1) {
    const first = FIRST[int(FIRST.length)] as string;
    const last = LAST[int(LAST.length)] as string;
    const asset = index % 5 === 4 ? 'USD' : 'BRL';
    const alias =
      index % 7 === 3 ? null : `@${first.toLowerCase()}_${last.toLowerCase()}_${String(index + 1).padStart(4, '0')}`;
    const { account: customer, main } = account(retail, {
      name: `${first} ${last}`,
      alias,
      asset,
      atMicros: next(),
      metadata: index % 3 === 0 ? null : { customerRef: `CUS-${10_000 + index}` },
    });
    const outside = asset === 'USD' ? retailUSD : retailBRL;
    let at = main.createdAtMicros + HOUR;
    let running = 0n;
    for (let step = 1 + int(4); step > 0; step -= 1) {
      at += HOUR + int(96 * HOUR);
      const spend = running > 0n && int(3) === 0;
      const amount = spend ? 1n + BigInt(int(Number(running))) : BigInt(100 + int(2_000_000));
      if (spend) move(at, main, outside, amount);
      else move(at, outside, main, amount);
      running += spend ? -amount : amount;
    }
    if (index % 4 === 0 || index % 9 === 0) {
      const key = index % 4 === 0 ? 'savings' : 'asset-freeze';
      const extra = balance(customer, key, main.createdAtMicros + 24 * HOUR + int(48 * HOUR));
      const amount = running / 3n;
      if (amount > 0n) move(Math.max(at, extra.createdAtMicros) + HOUR, main, extra, amount);
    }
  }

  // — Banco Aurora: treasury ledger, amounts far beyond 2^53 minor units —
  const treasury = ledger(MIDAZ_DEMO_ORGANIZATION_ID, 'Treasury & Crypto', '2025-02-03T09:30:00Z', {
    owner: 'treasury-ops',
  });
  const treasuryBTC = external(treasury, 'BTC');
  const treasuryBRL = external(treasury, 'BRL');
  const treasuryUSD = external(treasury, 'USD');
  const treasuryEUR = external(treasury, 'EUR');
  const cold = account(treasury, {
    name: 'BTC cold storage',
    alias: '@btc_cold_storage',
    asset: 'BTC',
    type: 'custody',
    atMicros: next(),
    metadata: { custodian: 'in-house' },
  });
  move(cold.main.createdAtMicros + HOUR, treasuryBTC, cold.main, 12_345_678_901_234_567_891n);
  const hot = account(treasury, {
    name: 'BTC hot wallet',
    alias: '@btc_hot_wallet',
    asset: 'BTC',
    type: 'custody',
    atMicros: next(),
  });
  move(hot.main.createdAtMicros + HOUR, treasuryBTC, hot.main, 250_000_000n);
  move(hot.main.createdAtMicros + 9 * HOUR, hot.main, treasuryBTC, 12_345n);
  const reserve = account(treasury, {
    name: 'BRL reserve',
    alias: '@brl_reserve',
    asset: 'BRL',
    type: 'reserve',
    atMicros: next(),
  });
  move(reserve.main.createdAtMicros + HOUR, treasuryBRL, reserve.main, 987_654_321_098_765_432n);
  const locked = balance(reserve.account, 'regulatory-lock', reserve.main.createdAtMicros + 2 * HOUR);
  move(reserve.main.createdAtMicros + 3 * HOUR, reserve.main, locked, 123_456_789_000n);
  const usd = account(treasury, { name: 'USD operating', alias: '@usd_operating', asset: 'USD', atMicros: next() });
  move(usd.main.createdAtMicros + HOUR, treasuryUSD, usd.main, 1_234_567n);
  book(usd.main.createdAtMicros + 2 * HOUR, { balance: usd.main, kind: 'hold', amount: 34_567n });
  const eur = account(treasury, { name: 'EUR settlement', alias: '@eur_settlement', asset: 'EUR', atMicros: next() });
  move(eur.main.createdAtMicros + HOUR, treasuryEUR, eur.main, 500_000n);

  // — Banco Aurora: an empty ledger —
  ledger(MIDAZ_DEMO_ORGANIZATION_ID, 'Sandbox', '2025-03-01T15:00:00Z', null);

  // — Another organization on the same server —
  const horizon = ledger(MIDAZ_OTHER_ORGANIZATION_ID, 'Horizonte Main', '2025-01-20T10:00:00Z', null);
  const horizonBRL = external(horizon, 'BRL');
  for (const name of ['Lucas Souza', 'Beatriz Lima']) {
    const member = account(horizon, {
      name,
      alias: `@${name.toLowerCase().replace(' ', '_')}`,
      asset: 'BRL',
      atMicros: next(),
    });
    move(member.main.createdAtMicros + HOUR, horizonBRL, member.main, 77_700n);
  }

  return finish(organizations);
}
