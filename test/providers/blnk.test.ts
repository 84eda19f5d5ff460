import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../src/errors.ts';
import { chunkIdsForInFilter } from '../../src/providers/blnk/lookup.ts';
import { createBlnkConnector, type BlnkOptions } from '../../src/providers/blnk/index.ts';
import type { AccountModel, AccountRef, BalanceModel, Connector, LedgerRef } from '../../src/providers/types.ts';
import type { VendorList } from '../../src/relay/sequence.ts';
import { currencyScales, startBlnkSimulator, type BlnkSimulatorHandle } from '../../src/simulators/blnk/index.ts';
import { describeConnectorContract, walk } from './contract.ts';
import { checkAgainstSpec, specsAvailable } from './openapi.ts';

const API_KEY = 'blnk-test-master-key';
const READ_ONLY_KEY = 'blnk-test-read-only-key';
const SOURCE = 'blnk-test';

describeConnectorContract('blnk', async () => {
  const simulator = await startBlnkSimulator({ apiKey: API_KEY });
  const connector = createBlnkConnector(SOURCE, {
    url: simulator.url,
    auth: { apiKey: API_KEY },
    currencyScales: { ...currencyScales },
    timeoutMs: 5_000,
  });
  return { connector, simulator };
});

describe('blnk: connector quirks', () => {
  let simulator: BlnkSimulatorHandle;
  let connector: Connector;
  const extra: Connector[] = [];
  const connect = (options: Partial<BlnkOptions> = {}): Connector => {
    const created = createBlnkConnector(SOURCE, {
      url: simulator.url,
      auth: { apiKey: API_KEY },
      currencyScales: { ...currencyScales },
      timeoutMs: 5_000,
      ...options,
    });
    extra.push(created);
    return created;
  };
  const ledgerNamed = (name: string): LedgerRef => {
    const ledger = simulator.data.ledgers.find((item) => item.name === name);
    if (!ledger) throw new Error(`no ledger ${name}`);
    return { source: SOURCE, ledgerId: ledger.ledgerId };
  };
  const accountRefs = (ledger: LedgerRef, count: number): AccountRef[] =>
    simulator.truth
      .accounts(ledger.ledgerId)
      .slice(0, count)
      .map((account) => ({ ...ledger, accountId: account.id }));
  const balanceWhere = (test: (balance: BlnkSimulatorHandle['data']['balances'][number]) => boolean): AccountRef => {
    const balance = simulator.data.balances.find(test);
    if (!balance) throw new Error('no such balance in the seed');
    return { source: SOURCE, ledgerId: balance.ledgerId, accountId: balance.balanceId };
  };

  beforeAll(async () => {
    simulator = await startBlnkSimulator({ apiKey: API_KEY, readOnlyApiKey: READ_ONLY_KEY });
    connector = connect();
  });
  afterAll(async () => {
    await Promise.all(extra.map((item) => item.close()));
    await simulator.close();
  });
  beforeEach(() => simulator.resetRequests());

  it('splits ids by length: 100 real ids are 24, 24, 24, 24 and 4, each list at most 1000 characters', () => {
    const ids = simulator.data.balances.slice(0, 100).map((balance) => balance.balanceId);
    expect(ids.every((id) => id.length === 40)).toBe(true);
    const chunks = chunkIdsForInFilter(ids);
    expect(chunks.map((chunk) => chunk.length)).toEqual([24, 24, 24, 24, 4]);
    expect(chunks.flat()).toEqual(ids);
    const mixed = [
      'a'.repeat(999),
      'b',
      'c'.repeat(500),
      'd'.repeat(498),
      ...Array.from({ length: 150 }, (_, index) => `e${index}`),
    ];
    const mixedChunks = chunkIdsForInFilter(mixed);
    expect(mixedChunks.flat()).toEqual(mixed);
    for (const chunk of mixedChunks) {
      expect(chunk.join(',').length).toBeLessThanOrEqual(1000);
      expect(chunk.length).toBeLessThanOrEqual(100);
    }
  });

  it("reads 100 accounts' balances with exactly 5 GETs of at most 24 ids, in key order", async () => {
    const wallets = ledgerNamed('Customer Wallets');
    const refs = accountRefs(wallets, 100).reverse(); // key order differs from the server's order
    const results = await connector.getAccountBalances(refs);

    expect(simulator.requests).toHaveLength(5);
    const sent: string[] = [];
    for (const request of simulator.requests) {
      expect(request).toMatchObject({ method: 'GET', path: '/balances', status: 200 });
      expect(request.headers['x-blnk-key']).toBe(API_KEY);
      expect(Object.keys(request.query).sort()).toEqual(['balance_id_in', 'limit']);
      const list = request.query.balance_id_in?.[0] ?? '';
      expect(list.length).toBeLessThanOrEqual(1000);
      const ids = list.split(',');
      expect(ids.length).toBeLessThanOrEqual(24);
      expect(request.query.limit).toEqual([String(ids.length)]); // the default limit of 10 would cut the answer short
      sent.push(...ids);
    }
    expect(sent.sort()).toEqual(refs.map((ref) => ref.accountId).sort());

    const truth = new Map(simulator.truth.balances(wallets.ledgerId).map((balance) => [balance.balanceId, balance]));
    refs.forEach((ref, index) => {
      const result = results[index] as BalanceModel[];
      expect(result).toHaveLength(1);
      const [balance] = result as [BalanceModel];
      const want = truth.get(ref.accountId);
      expect(balance).toMatchObject({
        source: SOURCE,
        ledgerId: ref.ledgerId,
        accountId: ref.accountId,
        balanceId: ref.accountId,
        asset: want?.asset,
      });
      expect(`${balance.total.minorUnits}/${balance.total.scale}`).toBe(`${want?.total}/${want?.scale}`);
    });
  });

  it("batchWith 'filter' reads 100 accounts with one POST /balances/filter", async () => {
    const refs = accountRefs(ledgerNamed('Customer Wallets'), 100);
    const results = await connect({ batchWith: 'filter' }).getAccounts(refs);
    expect(simulator.requests).toHaveLength(1);
    const [request] = simulator.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/balances/filter', status: 200, query: {} });
    expect(request?.headers['x-blnk-key']).toBe(API_KEY);
    expect(JSON.parse(request?.body ?? '')).toEqual({
      filters: [{ field: 'balance_id', operator: 'in', values: refs.map((ref) => ref.accountId) }],
      limit: 100,
    });
    expect(results.map((result) => (result as { accountId: string }).accountId)).toEqual(
      refs.map((ref) => ref.accountId),
    );
  });

  it("batchWith 'filter' with a read-only key fails as SOURCE_AUTH_FAILED (the POST needs balances:write); 'get' works", async () => {
    const refs = accountRefs(ledgerNamed('Merchant Settlements'), 3);
    const results = await connect({ batchWith: 'filter', auth: { apiKey: READ_ONLY_KEY } }).getAccounts(refs);
    for (const result of results) expect(result).toMatchObject({ code: 'SOURCE_AUTH_FAILED', sourceName: SOURCE });
    expect(simulator.requests.map((request) => request.status)).toEqual([403]);
    const viaGet = await connect({ auth: { apiKey: READ_ONLY_KEY } }).getAccounts(refs);
    expect(viaGet.map((result) => (result as { accountId: string }).accountId)).toEqual(
      refs.map((ref) => ref.accountId),
    );
  });

  it('maps accounts: address is the indicator or the balance id, name from meta_data.name or the indicator', async () => {
    const overdraft = balanceWhere((balance) => balance.indicator === '@overdraft-tunde-eze');
    const world = balanceWhere((balance) => balance.indicator === '@World' && balance.currency === 'USD');
    const plain = balanceWhere((balance) => balance.indicator === null && balance.metaData === null);
    const [first, second, third] = (await connector.getAccounts([overdraft, world, plain])) as AccountModel[];
    expect(first).toMatchObject({
      accountId: overdraft.accountId,
      address: '@overdraft-tunde-eze',
      name: 'Tunde Eze',
      metadata: { name: 'Tunde Eze', overdraft_limit: 2_000_000 },
    });
    expect(second).toMatchObject({ address: '@World', name: '@World', metadata: null });
    expect(third).toMatchObject({ address: plain.accountId, name: null, metadata: null });
    // The account read carries the account's one balance, so the balance loader can be primed with it.
    expect(first?.balances).toEqual([
      expect.objectContaining({
        balanceId: overdraft.accountId,
        total: { minorUnits: -755_000n, scale: 2, asset: 'NGN' },
      }),
    ]);
  });

  it('maps balances: available = balance − inflight debits, pending = inflight balance, overdrafts negative', async () => {
    const ada = balanceWhere((balance) => balance.metaData?.name === 'Ada Okafor (USD)');
    const overdraft = balanceWhere((balance) => balance.indicator === '@overdraft-tunde-eze');
    const [adaResult, overdraftResult] = (await connector.getAccountBalances([ada, overdraft])) as [
      BalanceModel[],
      BalanceModel[],
    ];
    const usd = (minorUnits: bigint) => ({ minorUnits, scale: 2, asset: 'USD' });
    // Seeded movements 500000 − 120050 + 7525 − 4999; inflight credit 5000, debit 20000.
    expect(adaResult[0]).toMatchObject({
      total: usd(382_476n),
      available: usd(362_476n),
      pending: usd(-15_000n),
      credits: usd(507_525n),
      debits: usd(125_049n),
      updatedAt: null,
    });
    expect(overdraftResult[0]?.total).toEqual({ minorUnits: -755_000n, scale: 2, asset: 'NGN' });
  });

  it('looks one id up with the documented GET /{resource}/{id}; BAL_NOT_FOUND and LGR_NOT_FOUND are NOT_FOUND', async () => {
    const unknownBalance = 'bln_00000000-0000-4000-8000-000000000000';
    const wallets = ledgerNamed('Customer Wallets');
    const [account] = await connector.getAccounts([{ ...wallets, accountId: unknownBalance }]);
    const [ledger] = await connector.getLedgers([
      { source: SOURCE, ledgerId: 'ldg_00000000-0000-4000-8000-000000000000' },
    ]);
    expect(account).toBeInstanceOf(NotFoundError);
    expect(ledger).toBeInstanceOf(NotFoundError);
    expect((account as NotFoundError).sourceName).toBe(SOURCE);
    expect(simulator.requests.map((request) => `${request.method} ${request.path} ${request.status}`)).toEqual([
      `GET /balances/${unknownBalance} 404`,
      'GET /ledgers/ldg_00000000-0000-4000-8000-000000000000 404',
    ]);
  });

  it('gets several ledgers with one ledger_id_in filter', async () => {
    const refs = simulator.truth
      .ledgers()
      .map((ledger) => ({ source: SOURCE, ledgerId: ledger.id }))
      .reverse();
    const results = await connector.getLedgers([...refs, { source: SOURCE, ledgerId: 'ldg_missing' }]);
    expect(results.slice(0, -1).map((result) => (result as { name: string }).name)).toEqual(
      refs.map((ref) => simulator.truth.ledgers().find((ledger) => ledger.id === ref.ledgerId)?.name),
    );
    expect(results.at(-1)).toBeInstanceOf(NotFoundError);
    expect(simulator.requests).toHaveLength(1);
    expect(simulator.requests[0]?.query).toEqual({
      ledger_id_in: [[...refs.map((ref) => ref.ledgerId), 'ldg_missing'].join(',')],
      limit: ['5'],
    });
  });

  it('answers NOT_FOUND for a balance that lives in another ledger, and for ids that cannot be Blnk ids, without asking', async () => {
    const btc = balanceWhere((balance) => balance.currency === 'BTC' && balance.indicator === '@ColdStorage');
    const elsewhere = { ...btc, ledgerId: ledgerNamed('Customer Wallets').ledgerId };
    const odd = ['bln_a,bln_b', 'x/../y', ` ${btc.accountId}`].map((accountId) => ({ ...btc, accountId }));
    const results = await connector.getAccountBalances([elsewhere, ...odd, btc]);
    expect(results.slice(0, 4).every((result) => result instanceof NotFoundError)).toBe(true);
    expect(Array.isArray(results[4])).toBe(true);
    expect(simulator.requests).toHaveLength(1);
    expect(simulator.requests[0]?.path).toBe(`/balances/${btc.accountId}`);
  });

  it('lists with ledger_id_eq, limit and offset, up to 1000 a call, and filters by indicator and currency', async () => {
    const wallets = ledgerNamed('Customer Wallets');
    const page = connector.listBalances(wallets, {}) as Extract<VendorList<BalanceModel>, { paging: 'offset' }>;
    expect(page.maxLimit).toBe(1000);
    expect(await page.fetchRange(0, 1000)).toHaveLength(300);
    expect(simulator.requests[0]?.query).toEqual({ ledger_id_eq: [wallets.ledgerId], limit: ['1000'], offset: ['0'] });

    simulator.resetRequests();
    const overdraft = await walk(
      connector.listAccounts(wallets, { address: '@overdraft-tunde-eze' }),
      'forward',
      () => 5,
    );
    expect(overdraft.map((account) => account.address)).toEqual(['@overdraft-tunde-eze']);
    expect(simulator.requests[0]?.query).toMatchObject({
      ledger_id_eq: [wallets.ledgerId],
      indicator_eq: ['@overdraft-tunde-eze'],
    });

    const plain = simulator.truth.accounts(wallets.ledgerId).find((account) => account.address === account.id);
    const byId = await walk(connector.listAccounts(wallets, { address: plain?.id }), 'forward', () => 5);
    expect(byId.map((account) => account.accountId)).toEqual([plain?.id]);

    simulator.resetRequests();
    const btc = await walk(connector.listBalances(wallets, { asset: 'BTC' }), 'forward', () => 10);
    expect(btc.map((balance) => balance.total)).toEqual([{ minorUnits: 124_999_999n, scale: 8, asset: 'BTC' }]);
    expect(simulator.requests[0]?.query).toMatchObject({ currency_eq: ['BTC'] });
    expect(connector.listLedgers()).toMatchObject({ paging: 'offset', maxLimit: 100 });
  });

  it('reads the `null` Blnk sends for an empty page as an empty list', async () => {
    const sandbox = ledgerNamed('FX Sandbox');
    const raw = await fetch(`${simulator.url}/balances?ledger_id_eq=${sandbox.ledgerId}&limit=5`, {
      headers: { 'X-Blnk-Key': API_KEY },
    });
    expect(await raw.text()).toBe('null');
    expect(await walk(connector.listBalances(sandbox, {}), 'forward', () => 5)).toEqual([]);
    expect(await walk(connector.listAccounts(sandbox, {}), 'backward', () => 5)).toEqual([]);
  });

  it.skipIf(!specsAvailable)(
    'sends the requests the (partial) Blnk spec documents as the spec describes them',
    async () => {
      // blnk-docs-openapi.json documents only GET /ledgers/{ledger_id} and GET /balances/{id} of what the
      // connector calls; lists, filters and /at are outside it (their contract is the Go source, NOTES.md §4).
      const wallets = ledgerNamed('Customer Wallets');
      const [one] = accountRefs(wallets, 1);
      await connector.getLedgers([wallets]);
      await connector.getAccounts([one as AccountRef]);
      await connector.getAccountBalances([{ ...wallets, accountId: 'bln_00000000-0000-4000-8000-000000000000' }]);
      await connector.getAccountBalances(accountRefs(wallets, 30));
      const documented = simulator.requests.filter(
        (request) => request.method === 'GET' && /^\/(ledgers|balances)\/[^/]+$/.test(request.path),
      );
      expect(documented).toHaveLength(3);
      expect(checkAgainstSpec(documented, { file: 'blnk/blnk-docs-openapi.json' })).toEqual([]);
      // Everything else must be one of the server endpoints NOTES.md §4 lists, with only the
      // parameters the server reads there (the Go source is their contract).
      const serverOnly: Array<[RegExp, RegExp]> = [
        [
          /^GET \/balances$/,
          /^(limit|offset|[a-z_]+(\.[a-z_]+)?_(eq|ne|neq|gt|gte|gteq|lt|lte|lteq|in|between|like|ilike|isnull|isnotnull)|logical_operator)$/,
        ],
        [/^GET \/ledgers$/, /^(limit|offset|[a-z_]+_(eq|in))$/],
        [/^POST \/balances\/filter$/, /^$/],
        [/^GET \/balances\/[^/]+\/at$/, /^(timestamp|from_source)$/],
      ];
      const undocumented = simulator.requests.filter((request) => !documented.includes(request));
      expect(undocumented.length).toBeGreaterThan(0);
      for (const request of undocumented) {
        const line = `${request.method} ${request.path}`;
        const endpoint = serverOnly.find(([path]) => path.test(line));
        expect(endpoint, line).toBeDefined();
        for (const name of Object.keys(request.query)) expect(endpoint![1].test(name), `${line}?${name}`).toBe(true);
      }
    },
  );
});
