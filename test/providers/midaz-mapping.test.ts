import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { BadUserInputError, NotFoundError } from '../../src/errors.ts';
import { createMidazConnector, type MidazOptions } from '../../src/providers/midaz/index.ts';
import type { AccountModel, AccountRef, BalanceModel, Connector, LedgerRef } from '../../src/providers/types.ts';
import {
  MIDAZ_ASSET_SCALES,
  MIDAZ_DEMO_ORGANIZATION_ID,
  startMidazSimulator,
  type MidazSimulatorHandle,
} from '../../src/simulators/midaz/index.ts';
import { walk } from './contract.ts';

const TOKEN = 'midaz-mapping-token';
const SOURCE = 'midaz-mapping';
const options = (url: string, extra: Partial<MidazOptions> = {}): MidazOptions => ({
  url,
  organizationId: MIDAZ_DEMO_ORGANIZATION_ID,
  auth: { token: TOKEN },
  assetScales: { ...MIDAZ_ASSET_SCALES },
  timeoutMs: 5_000,
  ...extra,
});

/** What the connector makes of Midaz's records: decimal amounts, overdrafts, scales, aliases, filters, absent ids. */
describe('midaz: mapping and filters', () => {
  let simulator: MidazSimulatorHandle;
  let connector: Connector;
  const extra: Connector[] = [];
  const connect = (more: Partial<MidazOptions> = {}): Connector => {
    const created = createMidazConnector(SOURCE, options(simulator.url, more));
    extra.push(created);
    return created;
  };
  const ledgerNamed = (name: string): LedgerRef => {
    const ledger = simulator.data.ledgers.find((item) => item.name === name);
    if (!ledger) throw new Error(`no ledger ${name}`);
    return { source: SOURCE, ledgerId: ledger.id };
  };
  const accountAliased = (alias: string): AccountRef => {
    const account = simulator.data.accounts.find((item) => item.alias === alias);
    if (!account) throw new Error(`no account ${alias}`);
    return { source: SOURCE, ledgerId: account.ledgerId, accountId: account.id };
  };
  const balancesPath = (ledger: LedgerRef) =>
    `/v1/organizations/${MIDAZ_DEMO_ORGANIZATION_ID}/ledgers/${ledger.ledgerId}/balances`;

  beforeAll(async () => {
    simulator = await startMidazSimulator({ token: TOKEN });
    connector = connect();
  });
  afterAll(async () => {
    await Promise.all(extra.map((item) => item.close()));
    await simulator.close();
  });
  beforeEach(() => simulator.resetRequests());

  it('reads decimal strings exactly: "1000", "10000.5", amounts above 2^53, negatives', async () => {
    const [thousand, half, cold, reserve, external] = (await connector.getAccountBalances(
      ['@maria_oliveira', '@pedro_lima', '@btc_cold_storage', '@brl_reserve', '@external/BTC'].map(accountAliased),
    )) as BalanceModel[][];
    const brl = (minorUnits: bigint) => ({ minorUnits, scale: 2, asset: 'BRL' });
    expect(thousand?.[0]).toMatchObject({
      available: brl(100_000n),
      pending: brl(0n),
      total: brl(100_000n),
      credits: null,
      debits: null,
    });
    expect(half?.[0]?.total).toEqual(brl(1_000_050n));
    expect(cold?.[0]?.total).toEqual({ minorUnits: 12_345_678_901_234_567_891n, scale: 8, asset: 'BTC' });
    expect(reserve?.map((balance) => balance.total.minorUnits).sort()).toEqual(
      [123_456_789_000n, 987_654_321_098_765_432n - 123_456_789_000n].sort(),
    );
    expect(external?.[0]?.total.minorUnits).toBe(-(12_345_678_901_234_567_891n + 250_000_000n - 12_345n));
    const wire = simulator.data.balances.find((balance) => balance.alias === '@pedro_lima');
    const raw = await fetch(`${simulator.url}${balancesPath(ledgerNamed('Retail Banking'))}/${wire?.id}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    expect(await raw.text()).toMatch(/"available":"10000\.5","onHold":"0"/);
  });

  it('maps an overdrawn balance to its net position and folds the overdraft companion into it', async () => {
    const [joao] = (await connector.getAccountBalances([accountAliased('@joao_pereira')])) as [BalanceModel[]];
    const brl = (minorUnits: bigint) => ({ minorUnits, scale: 2, asset: 'BRL' });
    expect(joao).toHaveLength(1); // the `overdraft` companion is not a balance of its own
    expect(joao[0]).toMatchObject({ available: brl(-125_075n), pending: brl(0n), total: brl(-125_075n) });
    const [carla] = (await connector.getAccountBalances([accountAliased('@carla_costa')])) as [BalanceModel[]];
    expect(carla[0]).toMatchObject({ available: brl(245_450n), pending: brl(4_550n), total: brl(250_000n) });
    const companions = simulator.data.balances
      .filter((balance) => balance.key === 'overdraft')
      .map((balance) => balance.id);
    const listed = await walk(connector.listBalances(ledgerNamed('Retail Banking'), {}), 'forward', () => 100);
    expect(listed.some((balance) => companions.includes(balance.balanceId))).toBe(false);
  });

  it('refuses to round: more decimal places than the configured scale is SOURCE_BAD_RESPONSE naming the asset', async () => {
    const [result] = await connect({ assetScales: { ...MIDAZ_ASSET_SCALES, BRL: 0 } }).getAccountBalances([
      accountAliased('@pedro_lima'),
    ]);
    expect(result).toMatchObject({ code: 'SOURCE_BAD_RESPONSE', sourceName: SOURCE });
    expect((result as Error).message).toContain(
      '"BRL" available amount has more decimal places than its configured scale (0)',
    );
    const [fine] = await connect({ assetScales: { ...MIDAZ_ASSET_SCALES, BRL: 0 } }).getAccountBalances([
      accountAliased('@maria_oliveira'),
    ]);
    expect((fine as BalanceModel[])[0]?.total).toEqual({ minorUnits: 1_000n, scale: 0, asset: 'BRL' });
  });

  it('names an asset without a configured scale (SOURCE_BAD_RESPONSE), per slot', async () => {
    const { BTC: _, ...withoutBtc } = MIDAZ_ASSET_SCALES;
    const results = await connect({ assetScales: withoutBtc }).getAccountBalances([
      accountAliased('@btc_hot_wallet'),
      accountAliased('@usd_operating'),
    ]);
    expect(results[0]).toMatchObject({ code: 'SOURCE_BAD_RESPONSE' });
    expect((results[0] as Error).message).toContain('holds a balance in "BTC"');
    expect((results[0] as Error).message).toContain('assetScales');
    expect(Array.isArray(results[1])).toBe(true);
  });

  it('maps accounts: address is the alias (the id when none was given), name and metadata', async () => {
    const retail = ledgerNamed('Retail Banking');
    const unnamed = simulator.data.accounts.find(
      (account) => account.ledgerId === retail.ledgerId && account.alias === account.id,
    );
    const [maria, plain] = (await connector.getAccounts([
      accountAliased('@maria_oliveira'),
      { ...retail, accountId: unnamed?.id ?? '' },
    ])) as AccountModel[];
    expect(maria).toMatchObject({
      address: '@maria_oliveira',
      name: 'Maria Oliveira',
      metadata: { segment: 'retail', kyc: 'full' },
    });
    expect(plain).toMatchObject({ address: unnamed?.id, accountId: unnamed?.id });
  });

  it('filters by exact alias: accounts read again by id for their metadata, balances from the alias endpoint', async () => {
    const retail = ledgerNamed('Retail Banking');
    const found = await walk(connector.listAccounts(retail, { address: '@maria_oliveira' }), 'forward', () => 5);
    expect(found).toEqual([
      expect.objectContaining({ address: '@maria_oliveira', metadata: { segment: 'retail', kyc: 'full' } }),
    ]);
    expect(await walk(connector.listAccounts(retail, { address: '@nobody_here' }), 'forward', () => 5)).toEqual([]);
    const external = await walk(connector.listBalances(retail, { address: '@external/USD' }), 'forward', () => 5);
    expect(external.map((balance) => balance.asset)).toEqual(['USD']);
    const joao = await walk(
      connector.listBalances(retail, { address: '@joao_pereira', asset: 'BRL' }),
      'forward',
      () => 5,
    );
    expect(joao.map((balance) => balance.total.minorUnits)).toEqual([-125_075n]);
    await expect(
      walk(connector.listBalances(retail, { address: 'not an alias' }), 'forward', () => 5),
    ).rejects.toBeInstanceOf(BadUserInputError);
    expect(simulator.requests.map((request) => request.path.replace(/[0-9a-f-]{36}/g, '{id}'))).toEqual([
      '/v1/organizations/{id}/ledgers/{id}/accounts/alias/@maria_oliveira',
      '/v1/organizations/{id}/ledgers/{id}/accounts/{id}',
      '/v1/organizations/{id}/ledgers/{id}/accounts/alias/@nobody_here',
      '/v1/organizations/{id}/ledgers/{id}/accounts/external/USD/balances',
      '/v1/organizations/{id}/ledgers/{id}/accounts/alias/@joao_pereira/balances',
    ]);
  });

  it('filters balances by asset client-side, Midaz having no such filter', async () => {
    const treasury = ledgerNamed('Treasury & Crypto');
    const btc = await walk(connector.listBalances(treasury, { asset: 'BTC' }), 'forward', () => 10);
    expect(btc.map((balance) => balance.asset)).toEqual(['BTC', 'BTC', 'BTC']);
    expect(
      simulator.requests.every(
        (request) => request.query.asset === undefined && request.query.asset_code === undefined,
      ),
    ).toBe(true);
  });

  it('answers NOT_FOUND without a call for ids that cannot be Midaz ids, and for unknown UUIDs with 0007', async () => {
    const retail = ledgerNamed('Retail Banking');
    const someId = simulator.truth.accounts(retail.ledgerId)[0]?.id ?? '';
    const results = await connector.getAccounts([
      { ...retail, accountId: 'users:001' },
      { ...retail, ledgerId: 'main', accountId: someId },
    ]);
    expect(results.every((result) => result instanceof NotFoundError)).toBe(true);
    await expect(
      walk(connector.listAccounts({ ...retail, ledgerId: 'main' }, {}), 'forward', () => 5),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(simulator.requests).toHaveLength(0);
    const missing = '01950000-0000-7000-8000-000000000000';
    const [ledger] = await connector.getLedgers([{ source: SOURCE, ledgerId: missing }]);
    const [balances] = await connector.getAccountBalances([{ ...retail, accountId: missing }]);
    expect(ledger).toBeInstanceOf(NotFoundError);
    expect(balances).toBeInstanceOf(NotFoundError);
    // The balances endpoint does not check the account: an empty answer is followed by an account read.
    expect(simulator.requests.map((request) => request.status)).toEqual([404, 200, 404]);
  });

  it('reads an empty ledger\'s `"items": null` account page as an empty list, and lists only its organization\'s ledgers', async () => {
    const sandbox = ledgerNamed('Sandbox');
    expect(await walk(connector.listAccounts(sandbox, {}), 'backward', () => 5)).toEqual([]);
    expect(await walk(connector.listBalances(sandbox, {}), 'backward', () => 5)).toEqual([]);
    const names = (await walk(connector.listLedgers(), 'forward', () => 10)).map((ledger) => ledger.name);
    expect(names).toEqual(['Retail Banking', 'Treasury & Crypto', 'Sandbox']);
    const stranger = connect({ organizationId: '01950000-0000-7000-8000-0000000000ff' });
    expect(await walk(stranger.listLedgers(), 'forward', () => 10)).toEqual([]);
  });

  it('checks its options up front, when the configuration is read', () => {
    const parse = (fields: Record<string, unknown>) => () =>
      parseConfig({ sources: [{ name: SOURCE, kind: 'midaz', ...options(simulator.url), ...fields }] });
    expect(parse({ organizationId: 'acme' })).toThrow(/^sources\[0\]\.organizationId: must be a UUID$/);
    expect(parse({ url: 'ftp://x' })).toThrow(/^sources\[0\]\.url: /);
    expect(parse({ assetScales: { BRL: 2.5 } })).toThrow(/^sources\[0\]\.assetScales\.BRL: /);
    expect(parse({ auth: { token: '' } })).toThrow(/^sources\[0\]\.auth\.token: /);
    expect(parse({ auth: { token: 'a\r\nX-Injected: 1' } })).toThrow(/^sources\[0\]\.auth\.token: /);
    expect(parse({ concurrency: 0 })).toThrow(/^sources\[0\]\.concurrency: /);
    expect(connect({ url: `${simulator.url}/v1/` })).toBeDefined();
  });
});
