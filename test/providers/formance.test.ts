import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BadUserInputError, NotFoundError } from '../../src/errors.ts';
import { createFormanceConnector } from '../../src/providers/formance/index.ts';
import type { AccountModel, AccountRef, BalanceModel, Connector, LedgerRef } from '../../src/providers/types.ts';
import {
  FORMANCE_DEMO_CLIENT_ID,
  FORMANCE_DEMO_CLIENT_SECRET,
  startFormanceSimulator,
  type FormanceSimulator,
} from '../../src/simulators/formance/index.ts';
import type { RecordedRequest } from '../../src/simulators/types.ts';
import { describeConnectorContract, walk } from './contract.ts';

const SOURCE = 'formance-test';
const auth = { clientId: FORMANCE_DEMO_CLIENT_ID, clientSecret: FORMANCE_DEMO_CLIENT_SECRET };

describeConnectorContract('formance', async () => {
  const simulator = await startFormanceSimulator();
  const connector = createFormanceConnector(SOURCE, { url: simulator.url, auth, timeoutMs: 5_000 });
  return { connector, simulator };
});

/** The ledger reads of a recording (token requests left out), as `METHOD path`. */
const ledgerCalls = (requests: readonly RecordedRequest[]) =>
  requests
    .filter((request) => request.path.startsWith('/api/ledger/'))
    .map((request) => `${request.method} ${request.path}`);
const inFilter = (request: RecordedRequest | undefined): string[] =>
  (JSON.parse(request?.query.query?.[0] ?? '{}') as { $in: { address: string[] } }).$in.address;
const key = (balance: BalanceModel) =>
  `${balance.accountId}|${balance.balanceId}|${balance.total.minorUnits}/${balance.total.scale}`;

describe('formance: connector quirks', () => {
  let simulator: FormanceSimulator;
  let connector: Connector;
  const ledger = (ledgerId: string): LedgerRef => ({ source: SOURCE, ledgerId });
  const refs = (ledgerId: string, addresses: readonly string[]): AccountRef[] =>
    addresses.map((accountId) => ({ source: SOURCE, ledgerId, accountId }));
  const accountsOf = (ledgerId: string) => simulator.truth.accounts(ledgerId).map((account) => account.id);

  beforeAll(async () => {
    simulator = await startFormanceSimulator();
    connector = createFormanceConnector(SOURCE, { url: simulator.url, auth, timeoutMs: 5_000 });
  });
  afterAll(async () => {
    await connector.close();
    await simulator.close();
  });
  beforeEach(() => simulator.resetRequests());

  it('gets the balances of a 100-account page in one call: v2 $in on address with volumes expanded', async () => {
    await connector.getLedgers([ledger('main')]); // the token is in hand
    simulator.resetRequests();
    const addresses = accountsOf('main').slice(0, 100);
    const results = await connector.getAccountBalances(refs('main', addresses));

    expect(ledgerCalls(simulator.requests)).toEqual(['GET /api/ledger/v2/main/accounts']);
    const [request] = simulator.requests;
    expect(request?.query).toMatchObject({ pageSize: ['100'], expand: ['volumes'] });
    expect(inFilter(request)).toEqual(addresses);
    expect(request?.headers.authorization).toMatch(/^Bearer \S+$/);
    const truth = simulator.truth.balances('main');
    addresses.forEach((address, index) => {
      const result = results[index];
      if (!Array.isArray(result)) throw result;
      expect(result.map(key)).toEqual(
        truth
          .filter((balance) => balance.accountId === address)
          .map((balance) => `${balance.accountId}|${balance.balanceId}|${balance.total}/${balance.scale}`),
      );
    });
  });

  it('splits a batch over 100 accounts into calls of 100 and repeats no address', async () => {
    const addresses = accountsOf('main').slice(0, 250);
    const results = await connector.getAccountBalances(refs('main', [...addresses, ...addresses.slice(0, 5)]));
    expect(results.every(Array.isArray)).toBe(true);
    expect(ledgerCalls(simulator.requests)).toEqual(Array(3).fill('GET /api/ledger/v2/main/accounts'));
    expect(simulator.requests.map(inFilter).map((chunk) => chunk.length)).toEqual([100, 100, 50]);
  });

  it('answers each ledger group on its own: unknown ledger, unknown account, pattern keys', async () => {
    const results = await connector.getAccountBalances([
      ...refs('treasury', ['treasury:cold:btc', 'nobody:404', 'treasury:']),
      ...refs('no-such-ledger', ['world']),
      ...refs('../main', ['world']),
    ]);
    expect(Array.isArray(results[0])).toBe(true);
    expect(results[1]).toBeInstanceOf(NotFoundError);
    expect(results[2]).toBeInstanceOf(NotFoundError); // a pattern names no account, and `$in` would refuse it for the whole group
    expect(results[3]).toBeInstanceOf(NotFoundError);
    expect(results[4]).toBeInstanceOf(NotFoundError);
    expect((results[3] as NotFoundError).extensions).toMatchObject({ code: 'NOT_FOUND', source: SOURCE });
    expect(ledgerCalls(simulator.requests).sort()).toEqual([
      'GET /api/ledger/v2/no-such-ledger/accounts',
      'GET /api/ledger/v2/treasury/accounts',
    ]);
    expect(inFilter(simulator.requests.find((request) => request.path.includes('treasury')))).toEqual([
      'treasury:cold:btc',
      'nobody:404',
    ]);
    expect(simulator.truth.ledgers().map((item) => item.id)).toEqual(['main', 'treasury', 'sandbox']);
  });

  it('reads /v2/volumes on a ledger without MOVES_HISTORY, and tells an account without balances from a missing one', async () => {
    const keys = refs('sandbox', ['test:alice', 'test:carol', 'nobody:404', 'test:bob']);
    const first = await connector.getAccountBalances(keys);
    expect(ledgerCalls(simulator.requests)).toEqual([
      'GET /api/ledger/v2/sandbox/accounts',
      'GET /api/ledger/v2/sandbox/volumes',
      'GET /api/ledger/v2/sandbox/accounts',
    ]);
    expect(simulator.requests.map((request) => request.status)).toEqual([400, 200, 200]);
    expect(simulator.requests[2]?.query.expand).toBeUndefined();
    expect(inFilter(simulator.requests[2])).toEqual(['test:carol', 'nobody:404']);
    expect((first[0] as BalanceModel[]).map(key)).toEqual(['test:alice|COIN|1100/0', 'test:alice|USD/2|10050/2']);
    expect(first[1]).toEqual([]);
    expect(first[2]).toBeInstanceOf(NotFoundError);
    expect(
      (first[3] as BalanceModel[]).map((balance) => [balance.credits?.minorUnits, balance.debits?.minorUnits]),
    ).toEqual([
      [400n, 0n],
      [99n, 0n],
    ]);

    simulator.resetRequests();
    await connector.getAccountBalances(refs('sandbox', ['test:alice']));
    expect(ledgerCalls(simulator.requests)).toEqual(['GET /api/ledger/v2/sandbox/volumes']); // the refusal is remembered
  });

  it('gets accounts with their metadata and their balances in the same call', async () => {
    const results = await connector.getAccounts(refs('treasury', ['banks:chase:usd', 'world', 'nobody:404']));
    expect(ledgerCalls(simulator.requests)).toEqual(['GET /api/ledger/v2/treasury/accounts']);
    const [chase, world, nobody] = results as [AccountModel, AccountModel, Error];
    expect(chase).toMatchObject({
      source: SOURCE,
      ledgerId: 'treasury',
      accountId: 'banks:chase:usd',
      address: 'banks:chase:usd',
      name: null,
      metadata: { bank: 'JPMorgan Chase', iban: 'US00CHAS0000000001' },
    });
    expect(chase.balances?.map(key)).toEqual(['banks:chase:usd|USD/2|18014398009481985/2']);
    expect(world.metadata).toEqual({});
    expect(nobody).toBeInstanceOf(NotFoundError);
  });

  it('keeps amounts exact far above 2^53, negative ones included', async () => {
    const [cold, world] = (await connector.getAccountBalances(refs('treasury', ['treasury:cold:btc', 'world']))) as [
      BalanceModel[],
      BalanceModel[],
    ];
    expect(cold[0]).toMatchObject({ balanceId: 'BTC/8', asset: 'BTC', pending: null, updatedAt: null });
    expect(cold[0]?.total).toEqual({ minorUnits: 123_456_789_011_095_678_901n, scale: 8, asset: 'BTC' });
    expect(cold[0]?.available).toEqual(cold[0]?.total);
    expect(cold[0]?.credits?.minorUnits).toBe(123_456_789_012_345_678_901n);
    expect(cold[0]?.debits?.minorUnits).toBe(1_250_000_000n);
    expect(world.find((balance) => balance.asset === 'BTC')?.total.minorUnits).toBe(-123_456_789_012_345_678_901n);
    expect(world.find((balance) => balance.asset === 'USDC_BASE')?.total).toEqual({
      minorUnits: -2_500_000_000n,
      scale: 6,
      asset: 'USDC_BASE',
    });
    expect(world.find((balance) => balance.asset === 'JPY')?.total.scale).toBe(0);
  });

  it('lists accounts through v1: 100 a page with volumes expanded, then the vendor cursor alone', async () => {
    const list = connector.listAccounts(ledger('main'), {});
    if (list.paging !== 'cursor') throw new Error('expected cursor paging');
    const first = await list.fetchPage(null);
    const second = await list.fetchPage(first.next);
    expect(ledgerCalls(simulator.requests)).toEqual([
      'GET /api/ledger/v2/main',
      'GET /api/ledger/main/accounts',
      'GET /api/ledger/main/accounts',
    ]);
    expect(simulator.requests[1]?.query).toEqual({ pageSize: ['100'], expand: ['volumes'] });
    expect(Object.keys(simulator.requests[2]?.query ?? {})).toEqual(['cursor']);
    expect(first.items.map((account) => account.accountId)).toEqual(accountsOf('main').slice(0, 100));
    expect(second.items.map((account) => account.accountId)).toEqual(accountsOf('main').slice(100, 200));
    expect(first.previous).toBeNull();
    expect(second.previous).not.toBeNull();
    // Each account brings all its balances, so a balances field after a list costs no call.
    const merchant = first.items.find((account) => account.accountId === 'merchants:0002');
    expect(merchant?.metadata).toEqual({ category: 'travel', name: 'Merchant 2' });
    expect(merchant?.balances?.map(key)).toEqual(
      simulator.truth
        .balances('main')
        .filter((balance) => balance.accountId === 'merchants:0002')
        .map((balance) => `${balance.accountId}|${balance.balanceId}|${balance.total}/${balance.scale}`),
    );

    simulator.resetRequests();
    const again = connector.listAccounts(ledger('main'), {});
    if (again.paging === 'cursor') await again.fetchPage(null);
    expect(ledgerCalls(simulator.requests)).toEqual(['GET /api/ledger/main/accounts']); // the ledger check is cached
  });

  it('never sends a v1 read for a ledger that does not exist: v1 would create it', async () => {
    const list = connector.listAccounts(ledger('typo-ledger'), {});
    await expect(walk(list, 'forward', () => 10)).rejects.toBeInstanceOf(NotFoundError);
    await expect(walk(connector.listBalances(ledger('typo-ledger'), {}), 'forward', () => 10)).rejects.toBeInstanceOf(
      NotFoundError,
    );
    await expect(connector.aggregateBalances?.(ledger('typo-ledger'), {})).rejects.toBeInstanceOf(NotFoundError);
    expect(new Set(ledgerCalls(simulator.requests))).toEqual(new Set(['GET /api/ledger/v2/typo-ledger']));
    expect(simulator.truth.ledgers().map((item) => item.id)).toEqual(['main', 'treasury', 'sandbox']);
  });

  it('filters accounts by address pattern, and refuses a filter that is not one before sending it', async () => {
    const users = await walk(connector.listAccounts(ledger('main'), { address: 'users:' }), 'forward', () => 100);
    expect(users.map((account) => account.accountId)).toEqual(
      accountsOf('main').filter((address) => address.startsWith('users:')),
    );
    expect(simulator.requests.find((request) => request.path === '/api/ledger/main/accounts')?.query.address).toEqual([
      'users:',
    ]);
    const merchants = await walk(
      connector.listAccounts(ledger('treasury'), { address: 'banks:...' }),
      'forward',
      () => 100,
    );
    expect(merchants.map((account) => account.accountId)).toEqual([]); // `...` is exactly two segments in 2.4.x
    simulator.resetRequests();
    await expect(
      walk(connector.listAccounts(ledger('main'), { address: "users:' OR '1'='1" }), 'forward', () => 5),
    ).rejects.toBeInstanceOf(BadUserInputError);
    await expect(
      walk(connector.listBalances(ledger('main'), { address: 'users:%' }), 'forward', () => 5),
    ).rejects.toBeInstanceOf(BadUserInputError);
    expect(simulator.requests).toEqual([]);
  });

  it('lists balances flattened per (account, asset), keeping only the asked asset', async () => {
    const euros = await walk(connector.listBalances(ledger('main'), { asset: 'EUR' }), 'forward', () => 37);
    expect(euros.map(key)).toEqual(
      simulator.truth
        .balances('main')
        .filter((balance) => balance.asset === 'EUR')
        .map((balance) => `${balance.accountId}|${balance.balanceId}|${balance.total}/${balance.scale}`),
    );
    expect(euros.every((balance) => balance.credits === null && balance.debits === null)).toBe(true); // v1 /balances has no volumes
    const v1 = simulator.requests.filter((request) => request.path === '/api/ledger/main/balances');
    expect(v1[0]?.query).toEqual({ pageSize: ['100'] });
    expect(v1.slice(1).every((request) => Object.keys(request.query).join() === 'cursor')).toBe(true);
  });

  it('lists balances of a ledger without MOVES_HISTORY through /v2/volumes (v1 /balances would answer 500)', async () => {
    const balances = await walk(connector.listBalances(ledger('sandbox'), { address: 'test:' }), 'forward', () => 2);
    expect(balances.map(key)).toEqual([
      'test:alice|COIN|1100/0',
      'test:alice|USD/2|10050/2',
      'test:bob|COIN|400/0',
      'test:bob|USD/2|99/2',
    ]);
    expect(balances[0]?.credits?.minorUnits).toBe(1_500n);
    const calls = ledgerCalls(simulator.requests);
    expect(calls).toContain('GET /api/ledger/v2/sandbox/volumes');
    expect(calls.every((call) => call.startsWith('GET /api/ledger/v2/sandbox'))).toBe(true);
    const volumes = simulator.requests.find((request) => request.path.endsWith('/volumes'));
    expect(JSON.parse(volumes?.query.query?.[0] ?? '')).toEqual({ $match: { address: 'test:' } });
    expect(volumes?.query.pageSize).toEqual(['100']);
  });

  it('aggregates balances per asset, exactly', async () => {
    const sums = new Map<string, bigint>();
    for (const balance of simulator.truth.balances('main').filter((item) => item.accountId.startsWith('users:')))
      sums.set(balance.asset, (sums.get(balance.asset) ?? 0n) + BigInt(balance.total));
    const users = await connector.aggregateBalances?.(ledger('main'), { address: 'users:' });
    expect(users?.map((amount) => [amount.asset, amount.minorUnits])).toEqual(
      [...sums].sort(([a], [b]) => (a < b ? -1 : 1)),
    );
    expect(simulator.requests.at(-1)?.query).toEqual({ address: ['users:'] });
    const whole = await connector.aggregateBalances?.(ledger('treasury'), { asset: 'BTC' });
    expect(whole).toEqual([{ minorUnits: 0n, scale: 8, asset: 'BTC' }]); // world is the counterpart of everything
  });

  it('lists ledgers from /_info as one page, with a total', async () => {
    const list = connector.listLedgers();
    expect(await list.totalCount?.()).toBe(3);
    expect((await walk(list, 'backward', () => 1)).map((item) => item.name)).toEqual(['main', 'treasury', 'sandbox']);
  });
});
