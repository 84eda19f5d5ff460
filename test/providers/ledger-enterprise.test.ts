import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { ConfigError, NotFoundError, SourceError } from '../../src/errors.ts';
import { parseLosslessJson, VendorShapeError } from '../../src/providers/json.ts';
import {
  createLedgerEnterpriseConnector,
  type LedgerEnterpriseOptions,
} from '../../src/providers/ledger-enterprise/index.ts';
import { readAmount, readBalancesBody } from '../../src/providers/ledger-enterprise/map.ts';
import { VAULT_PAGE_SIZE } from '../../src/providers/ledger-enterprise/paging.ts';
import { capabilitiesOf } from '../../src/providers/capabilities.ts';
import type { AccountModel, AccountRef, BalanceModel, Connector, LedgerRef } from '../../src/providers/types.ts';
import { planPageReads } from '../../src/relay/page-plan.ts';
import { sequenceOf, type VendorList } from '../../src/relay/sequence.ts';
import {
  assetOf,
  CURRENCIES,
  currentTotal,
  startLedgerEnterpriseSimulator,
  type LedgerEnterpriseSimulatorHandle,
  type SeedAccount,
} from '../../src/simulators/ledger-enterprise/index.ts';
import { describeConnectorContract, walk } from './contract.ts';
import { checkAgainstSpec, specsAvailable } from './openapi.ts';

const API_USER = 'le-test-user';
const API_KEY = 'le-test-lam-key';
const SOURCE = 'le-test';

describeConnectorContract(
  'ledger-enterprise',
  async () => {
    const simulator = await startLedgerEnterpriseSimulator({ apiUser: API_USER, apiKey: API_KEY });
    const connector = createLedgerEnterpriseConnector(SOURCE, {
      url: simulator.url,
      auth: { apiUser: API_USER, apiKey: API_KEY },
      timeoutMs: 5_000,
    });
    return { connector, simulator };
  },
  // The Vault's balances are never negative (the Account schema's pattern has no sign).
  { negativeAmounts: false },
);

describe('ledger-enterprise: connector quirks', () => {
  let simulator: LedgerEnterpriseSimulatorHandle;
  let connector: Connector;
  const opened: Array<{ close(): Promise<void> }> = [];
  const connect = (options: Partial<LedgerEnterpriseOptions> = {}, target = simulator): Connector => {
    const created = createLedgerEnterpriseConnector(SOURCE, {
      url: target.url,
      auth: { apiUser: API_USER, apiKey: API_KEY },
      timeoutMs: 5_000,
      ...options,
    });
    opened.push(created);
    return created;
  };
  const workspace: LedgerRef = { source: SOURCE, ledgerId: 'workspace' };
  const refOf = (account: SeedAccount): AccountRef => ({ ...workspace, accountId: String(account.id) });
  const seeded = (test: (account: SeedAccount) => boolean): SeedAccount => {
    const account = simulator.data.accounts.find(test);
    if (!account) throw new Error('no such account in the seed');
    return account;
  };
  const figures = (account: SeedAccount) => {
    const total = currentTotal(account);
    const asset = assetOf(account.currency);
    const of = (minorUnits: bigint) => ({ minorUnits, scale: account.currency.magnitude, asset });
    return {
      asset,
      balanceId: asset,
      total: of(total),
      available: of(total - account.pending),
      pending: of(account.pending),
      credits: null,
      debits: null,
      updatedAt: null,
    };
  };
  const calls = () =>
    simulator.requests.map(
      (request) =>
        `${request.path}${Object.keys(request.query).length ? `?${new URLSearchParams(Object.entries(request.query).flatMap(([key, values]) => values.map((value) => [key, value]))).toString()}` : ''} ${request.status}`,
    );
  const offsetList = <T>(list: VendorList<T>) => {
    if (list.paging !== 'offset') throw new Error('expected offset paging');
    return list;
  };

  beforeAll(async () => {
    simulator = await startLedgerEnterpriseSimulator({ apiUser: API_USER, apiKey: API_KEY });
    opened.push(simulator);
    connector = connect();
  });
  afterAll(async () => {
    for (const item of opened.reverse()) await item.close();
  });
  beforeEach(() => simulator.resetRequests());

  it('sends X-Ledger-API-User and X-Ledger-API-Key on every call; a missing or wrong key is SOURCE_AUTH_FAILED', async () => {
    const bitcoin = seeded((account) => account.currency.currency === 'bitcoin');
    await connect().getAccountBalances([refOf(bitcoin)]);
    await walk(connector.listAccounts(workspace, {}), 'forward', () => 50);
    expect(simulator.requests.length).toBeGreaterThan(3);
    for (const request of simulator.requests) {
      expect(request.headers['x-ledger-api-user']).toBe(API_USER);
      expect(request.headers['x-ledger-api-key']).toBe(API_KEY);
      expect(request.status).toBe(200);
    }

    simulator.resetRequests();
    const [keyless] = await connect({ auth: { apiUser: API_USER } }).getAccounts([refOf(bitcoin)]);
    const [wrong] = await connect({ auth: { apiUser: 'someone-else', apiKey: API_KEY } }).getAccounts([refOf(bitcoin)]);
    expect(keyless).toMatchObject({ code: 'SOURCE_AUTH_FAILED', sourceName: SOURCE });
    expect(wrong).toMatchObject({ code: 'SOURCE_AUTH_FAILED', sourceName: SOURCE });
    expect(simulator.requests.map((request) => [request.status, request.headers['x-ledger-api-key'] ?? null])).toEqual([
      [401, null],
      [401, API_KEY],
    ]);

    // A LAM set up without an API key takes the user header alone.
    const open = await startLedgerEnterpriseSimulator({ apiUser: API_USER, apiKey: null });
    opened.push(open);
    const [account] = await connect({ auth: { apiUser: API_USER } }, open).getAccounts([refOf(bitcoin)]);
    expect(account).toMatchObject({ accountId: String(bitcoin.id) });
    expect(open.requests.every((request) => request.headers['x-ledger-api-key'] === undefined)).toBe(true);
  });

  it('a page of accounts carries their balances: one search call per page, plus one currency read per asset the connector has not seen yet', async () => {
    const fresh = connect();
    const list = offsetList(fresh.listAccounts(workspace, {}));
    const truth = simulator.truth.accounts('workspace');

    const first = await list.fetchRange(0, 100);
    const assets = new Set(first.map((account) => account.balances?.[0]?.asset));
    expect(simulator.requests.filter((request) => request.path === '/accounts')).toHaveLength(1);
    expect(simulator.requests[0]?.query).toEqual({ page: ['1'], page_size: ['100'] });
    const currencyReads = simulator.requests.filter((request) => request.path.endsWith('/currency'));
    expect(currencyReads).toHaveLength(assets.size); // bitcoin, litecoin, ethereum, polygon, solana, ripple and 3 tokens
    expect(assets.size).toBe(9);
    expect(simulator.requests).toHaveLength(1 + assets.size);

    expect(first.map((account) => account.accountId)).toEqual(truth.slice(0, 100).map((account) => account.id));
    for (const account of first) {
      const seed = simulator.data.accounts[Number(account.accountId) - 1] as SeedAccount;
      expect(account.balances).toEqual([
        expect.objectContaining({
          ...figures(seed),
          accountId: account.accountId,
          account: expect.objectContaining({ accountId: account.accountId }),
        }),
      ]);
    }

    // The currencies are known now: a Relay page of 20 costs one search call and nothing else.
    simulator.resetRequests();
    const rest = await walk(fresh.listAccounts(workspace, {}), 'forward', () => 20);
    expect(rest.map((account) => account.accountId)).toEqual(truth.map((account) => account.id));
    expect(rest.every((account) => account.balances?.length === 1)).toBe(true);
    expect(simulator.requests.every((request) => request.path === '/accounts')).toBe(true);
    expect(simulator.requests).toHaveLength(truth.length / 20);
    expect(calls().slice(0, 2)).toEqual(['/accounts?page=1&page_size=21 200', '/accounts?page=1&page_size=41 200']);
  });

  it('reads the three /balances shapes: plain and Bitcoin from /balances, Solana (staking figures only) from the account', async () => {
    const fresh = connect();
    const bitcoin = seeded((account) => account.currency.shape === 'bitcoin' && account.pending > 0n);
    const ether = seeded(
      (account) =>
        account.currency.currency === 'ethereum' &&
        account.currency.contractAddress === null &&
        currentTotal(account) > 2n ** 64n,
    );
    const solana = seeded((account) => account.currency.shape === 'solana' && currentTotal(account) > 0n);
    const refs = [refOf(bitcoin), refOf(ether), refOf(solana)];
    const expected = [bitcoin, ether, solana].map((account) => [
      expect.objectContaining({ ...figures(account), accountId: String(account.id) }),
    ]);

    // First sight of the accounts: the account read names the currency and carries the figures.
    expect(await fresh.getAccountBalances(refs)).toEqual(expected);
    expect(
      simulator.requests.filter((request) => !request.path.endsWith('/currency')).map((request) => request.path),
    ).toEqual(refs.map((ref) => `/accounts/${ref.accountId}`));

    // Known accounts: one /balances call each, except Solana's, whose /balances has no total.
    simulator.resetRequests();
    const again = await fresh.getAccountBalances(refs);
    expect(again).toEqual(expected);
    expect(calls().sort()).toEqual(
      [
        `/accounts/${bitcoin.id}/balances 200`,
        `/accounts/${ether.id}/balances 200`,
        `/accounts/${solana.id} 200`,
      ].sort(),
    );
    expect(((again[1] as BalanceModel[])[0] as BalanceModel).total.minorUnits).toBe(currentTotal(ether)); // far above 2^53, exact

    // The shapes as the simulator writes them, told apart by their keys.
    const raw = async (account: SeedAccount) => {
      const response = await fetch(`${simulator.url}/accounts/${account.id}/balances`, {
        headers: { 'X-Ledger-API-User': API_USER, 'X-Ledger-API-Key': API_KEY },
      });
      return parseLosslessJson(await response.text());
    };
    expect(readBalancesBody(await raw(bitcoin))).toEqual({
      total: currentTotal(bitcoin),
      available: currentTotal(bitcoin) - bitcoin.pending,
      pending: bitcoin.pending,
    });
    expect(Object.keys((await raw(bitcoin)) as object)).toContain('mempool_in');
    expect(readBalancesBody(await raw(ether))).toEqual({
      total: currentTotal(ether),
      available: currentTotal(ether) - ether.pending,
      pending: ether.pending,
    });
    expect(readBalancesBody(await raw(solana))).toBeNull();
  });

  it('refuses amounts that are not whole base units instead of rounding them', () => {
    expect(readAmount('1338', 'balance')).toBe(1338n);
    expect(readAmount('1338.000', 'balance')).toBe(1338n);
    for (const bad of ['1338.5', '', '-1', ' 1', '1e3'])
      expect(() => readAmount(bad, 'balance')).toThrow(VendorShapeError);
    expect(() => readAmount(1338, 'balance')).toThrow(VendorShapeError);
  });

  it('answers NOT_FOUND for an unknown account (404), for ids that cannot be Vault ids and for another ledger, without asking for the latter', async () => {
    const known = seeded((account) => account.id === 42);
    const refs: AccountRef[] = [
      { ...workspace, accountId: '999999' },
      { ...workspace, accountId: 'abc' },
      { ...workspace, accountId: '042' },
      { ...refOf(known), ledgerId: 'other' },
      refOf(known),
    ];
    const accounts = await connector.getAccounts(refs);
    const balances = await connector.getAccountBalances(refs);
    for (const results of [accounts, balances]) {
      expect(
        results.slice(0, 4).every((result) => result instanceof NotFoundError && result.sourceName === SOURCE),
      ).toBe(true);
      expect(results[4]).not.toBeInstanceOf(Error);
    }
    const asked = simulator.requests
      .map((request) => `${request.path} ${request.status}`)
      .filter((line) => !line.includes('/currency'));
    expect(asked).toEqual([
      '/accounts/999999 404',
      `/accounts/${known.id} 200`,
      '/accounts/999999 404',
      `/accounts/${known.id}/balances 200`,
    ]);
  });

  it('fans lookups out one call per distinct id, at most 8 in flight, answering in key order', async () => {
    const slow = await startLedgerEnterpriseSimulator({ apiUser: API_USER, apiKey: API_KEY, latencyMs: 20 });
    opened.push(slow);
    const fanned = connect({}, slow);
    const ids = slow.truth
      .accounts('workspace')
      .slice(0, 30)
      .map((account) => account.id);
    const refs = [...ids, ...[...ids].reverse()].map((accountId) => ({ ...workspace, accountId }));
    const results = await fanned.getAccounts(refs);
    expect(results.map((result) => (result as AccountModel).accountId)).toEqual(refs.map((ref) => ref.accountId));
    const reads = slow.requests
      .filter((request) => /^\/accounts\/\d+$/.test(request.path))
      .map((request) => request.path);
    expect(reads.sort()).toEqual(ids.map((id) => `/accounts/${id}`).sort());
    expect(slow.peakInFlight).toBe(8);

    // Known accounts: still one call per distinct id (/balances, or the account for Solana), same cap.
    slow.resetRequests();
    const balances = await fanned.getAccountBalances(refs);
    expect(balances.map((result) => (result as BalanceModel[])[0]?.accountId)).toEqual(
      refs.map((ref) => ref.accountId),
    );
    expect(slow.requests).toHaveLength(ids.length);
    expect(slow.peakInFlight).toBe(8);

    slow.resetRequests();
    await connect({ concurrency: 3 }, slow).getAccounts(refs);
    expect(slow.peakInFlight).toBe(3);
  });

  it('maps HTTP 420 (the Vault rate limit) and 429 to SOURCE_RATE_LIMITED, retrying after Retry-After first', async () => {
    const account = refOf(seeded((item) => item.id === 7));
    for (const status of [420, 429] as const) {
      simulator.resetRequests();
      simulator.throttleNext(3, { status });
      const [result] = await connector.getAccounts([account]);
      expect(result).toBeInstanceOf(SourceError);
      expect(result).toMatchObject({
        code: 'SOURCE_RATE_LIMITED',
        sourceName: SOURCE,
        extensions: { code: 'SOURCE_RATE_LIMITED', source: SOURCE },
      });
      expect((result as Error).message).not.toContain(simulator.url);
      expect(simulator.requests.map((request) => request.status)).toEqual([status, status, status]); // the call and its two retries
    }
    simulator.resetRequests();
    simulator.throttleNext(1, { status: 420, retryAfterSeconds: 0 });
    const [recovered] = await connector.getAccounts([account]);
    expect(recovered).toMatchObject({ accountId: account.accountId });
    expect(simulator.requests.map((request) => request.status)).toEqual([420, 200]);
  });

  it('filters: an asset is the search currency (tokens as ethereum:<contract>), an address is the account id', async () => {
    const bitcoins = await walk(connector.listBalances(workspace, { asset: 'bitcoin' }), 'forward', () => 30);
    const expected = simulator.truth.balances('workspace').filter((balance) => balance.asset === 'bitcoin');
    expect(
      bitcoins.map((balance) => `${balance.accountId} ${balance.total.minorUnits}/${balance.total.scale}`),
    ).toEqual(expected.map((balance) => `${balance.accountId} ${balance.total}/${balance.scale}`));
    expect(simulator.requests[0]?.query).toEqual({ currency: ['bitcoin'], page: ['1'], page_size: ['31'] });

    const usdt = assetOf(CURRENCIES.usdt);
    const tokens = await walk(connector.listBalances(workspace, { asset: usdt }), 'forward', () => 100);
    expect(tokens.length).toBeGreaterThan(10);
    expect(tokens.every((balance) => balance.asset === usdt && balance.total.scale === 6)).toBe(true);

    simulator.resetRequests();
    const [one] = await walk(connector.listAccounts(workspace, { address: '12' }), 'forward', () => 5);
    expect(one).toMatchObject({ accountId: '12', address: '12', name: simulator.data.accounts[11]?.name });
    expect(simulator.requests.map((request) => request.query)).toEqual([{ id: ['12'], page: ['1'], page_size: ['6'] }]);
    simulator.resetRequests();
    expect(await walk(connector.listAccounts(workspace, { address: 'bc1qnotanid' }), 'forward', () => 5)).toEqual([]);
    expect(simulator.requests).toHaveLength(0);
  });

  it('takes totalCount from page_info.count, without a call once a page was read', async () => {
    const sequence = sequenceOf(connector.listAccounts(workspace, {}));
    expect(await sequence.totalCount()).toBe(simulator.data.accounts.length);
    expect(simulator.requests.map((request) => request.query)).toEqual([{ page: ['1'], page_size: ['1'] }]);
    const filtered = sequenceOf(connector.listBalances(workspace, { asset: 'solana' }));
    await filtered.after(null, 5);
    simulator.resetRequests();
    expect(await filtered.totalCount()).toBe(
      simulator.truth.balances('workspace').filter((balance) => balance.asset === 'solana').length,
    );
    expect(simulator.requests).toHaveLength(0);
  });

  it('shows the workspace as one ledger; another ledger id is NOT_FOUND', async () => {
    expect(await walk(connector.listLedgers(), 'forward', () => 5)).toEqual([
      { source: SOURCE, ledgerId: 'workspace', name: 'workspace', createdAt: null, metadata: null },
    ]);
    const [found, missing] = await connector.getLedgers([workspace, { source: SOURCE, ledgerId: 'elsewhere' }]);
    expect(found).toMatchObject({ ledgerId: 'workspace' });
    expect(missing).toBeInstanceOf(NotFoundError);
    await expect(
      offsetList(connector.listAccounts({ source: SOURCE, ledgerId: 'elsewhere' }, {})).fetchRange(0, 5),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(simulator.requests).toHaveLength(0);
    expect(capabilitiesOf(connector)).toEqual(['LEDGERS', 'ACCOUNTS', 'BALANCES', 'HISTORY']);
  });

  it('maps an account: address is the vault id, name the account name, metadata the chain details', async () => {
    const token = seeded((account) => account.currency === CURRENCIES.dai);
    const [account] = (await connector.getAccounts([refOf(token)])) as AccountModel[];
    expect(account).toMatchObject({
      accountId: String(token.id),
      address: String(token.id),
      name: token.name,
      metadata: {
        currency: 'ethereum',
        type: 'Erc20',
        contract_address: CURRENCIES.dai.contractAddress,
        parent: token.parent,
        index: token.index,
        status: token.status,
        address: token.address,
      },
    });
    expect(account?.balances?.[0]?.total).toEqual({
      minorUnits: currentTotal(token),
      scale: 18,
      asset: assetOf(CURRENCIES.dai),
    });
  });

  it('plans page reads: the smallest page holding the range, else 100-item pages', () => {
    expect(planPageReads(0, 21, VAULT_PAGE_SIZE)).toEqual({ size: 21, first: 1, last: 1 });
    expect(planPageReads(20, 21, VAULT_PAGE_SIZE)).toEqual({ size: 41, first: 1, last: 1 });
    expect(planPageReads(100, 1, VAULT_PAGE_SIZE)).toEqual({ size: 1, first: 101, last: 101 });
    expect(planPageReads(50, 100, VAULT_PAGE_SIZE)).toEqual({ size: 100, first: 1, last: 2 });
    for (const [offset, limit] of [
      [0, 1],
      [7, 13],
      [99, 2],
      [250, 100],
      [33, 67],
    ] as const) {
      const plan = planPageReads(offset, limit, VAULT_PAGE_SIZE);
      expect(plan.size).toBeLessThanOrEqual(100);
      expect((plan.first - 1) * plan.size).toBeLessThanOrEqual(offset);
      expect(plan.last * plan.size).toBeGreaterThanOrEqual(offset + limit);
    }
  });

  it.skipIf(!specsAvailable)(
    'sends only requests the Vault spec documents, with documented query parameters',
    async () => {
      const fresh = connect();
      const [bitcoin, solana] = [
        seeded((account) => account.currency.currency === 'bitcoin'),
        seeded((account) => account.currency.shape === 'solana'),
      ];
      await fresh.getAccounts([refOf(bitcoin), { ...workspace, accountId: '999999' }]);
      await fresh.getAccountBalances([refOf(bitcoin), refOf(solana)]);
      await walk(fresh.listBalances(workspace, { asset: 'bitcoin', address: String(bitcoin.id) }), 'forward', () => 3);
      await walk(fresh.listAccounts(workspace, {}), 'backward', () => 40);
      await sequenceOf(fresh.listAccounts(workspace, {})).totalCount();
      await fresh.getHistory?.([
        { account: refOf(bitcoin), asset: 'bitcoin', at: ['2024-01-01T00:00:00Z', '2025-01-01T00:00:00Z'] },
        { account: refOf(solana), asset: 'solana', at: ['2024-01-01T00:00:00Z'] },
      ]);
      const paths = new Set(simulator.requests.map((request) => request.path.replace(/\/\d+/, '/{id}')));
      expect([...paths].sort()).toEqual([
        '/accounts',
        '/accounts/{id}',
        '/accounts/{id}/balances',
        '/accounts/{id}/balances/history',
        '/accounts/{id}/currency',
      ]);
      expect(
        checkAgainstSpec(simulator.requests, { file: 'ledger-enterprise/ledger-enterprise-vault-openapi.yml' }),
      ).toEqual([]);
    },
  );
});

describe('ledger-enterprise: configuration', () => {
  const base = { name: 'vault', url: 'http://vault-lam:5000', timeoutMs: 10_000 };
  const parse = (fields: Record<string, unknown>) =>
    parseConfig({ sources: [{ kind: 'ledger-enterprise', ...base, ...fields }] }).sources[0]?.options;

  it('reads auth.apiUser (required) and auth.apiKey, naming the field of a bad entry', () => {
    expect(parse({ auth: { apiUser: 'gateway', apiKey: 'k' } })).toEqual({
      url: base.url,
      timeoutMs: 10_000,
      auth: { apiUser: 'gateway', apiKey: 'k' },
      concurrency: 8,
    });
    expect(parse({ auth: { apiUser: 'gateway' }, concurrency: 4 })).toEqual({
      url: base.url,
      timeoutMs: 10_000,
      auth: { apiUser: 'gateway' },
      concurrency: 4,
    });
    expect(() => parse({})).toThrow(new ConfigError('sources[0].auth: required'));
    expect(() => parse({ auth: { apiKey: 'k' } })).toThrow(new ConfigError('sources[0].auth.apiUser: required'));
    expect(() => parse({ auth: { apiUser: 'gateway', token: 'x' } })).toThrow(
      /sources\[0\]\.auth\.token: unknown field/,
    );
  });

  it('checks options when the configuration is read, not mid-request', () => {
    const create = (options: Record<string, unknown>) => () =>
      parseConfig({
        sources: [{ kind: 'ledger-enterprise', ...base, auth: { apiUser: 'gateway' }, timeoutMs: 1_000, ...options }],
      });
    expect(create({ url: 'ftp://vault' })).toThrow(ConfigError);
    expect(create({ auth: { apiUser: '' } })).toThrow(/^sources\[0\]\.auth\.apiUser: /);
    expect(create({ concurrency: 0 })).toThrow(/^sources\[0\]\.concurrency: /);
    expect(create({ timeoutMs: 0 })).toThrow(/^sources\[0\]\.timeoutMs: /);
  });
});
