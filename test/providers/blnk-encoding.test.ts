import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { NotFoundError, SourceError } from '../../src/errors.ts';
import { createBlnkConnector, type BlnkOptions } from '../../src/providers/blnk/index.ts';
import { mapBlnkBalance } from '../../src/providers/blnk/map.ts';
import { parseLosslessJson } from '../../src/providers/json.ts';
import type { AccountRef, BalanceModel } from '../../src/providers/types.ts';
import { currencyScales, startBlnkSimulator, type BlnkSimulatorHandle } from '../../src/simulators/blnk/index.ts';
import { walk } from './contract.ts';

const API_KEY = 'blnk-test-master-key';
const SOURCE = 'blnk-test';

describe('blnk: encodings, scales and credentials', () => {
  const opened: Array<{ close(): Promise<void> }> = [];
  afterAll(async () => {
    for (const item of opened.reverse()) await item.close();
  });
  const start = async (
    options: Parameters<typeof startBlnkSimulator>[0],
    connectorOptions: Partial<BlnkOptions> = {},
  ) => {
    const simulator = await startBlnkSimulator(options);
    const connector = createBlnkConnector(SOURCE, {
      url: simulator.url,
      currencyScales: { ...currencyScales },
      timeoutMs: 5_000,
      ...connectorOptions,
    });
    opened.push(simulator, connector);
    return { simulator, connector };
  };
  const coldStorage = (simulator: BlnkSimulatorHandle): AccountRef => {
    const balance = simulator.data.balances.find((item) => item.indicator === '@ColdStorage');
    return { source: SOURCE, ledgerId: balance?.ledgerId ?? '', accountId: balance?.balanceId ?? '' };
  };

  it('reads amounts written as strings exactly', async () => {
    const { simulator, connector } = await start({ amountsAsStrings: true });
    const raw = await (await fetch(`${simulator.url}/balances/${coldStorage(simulator).accountId}`)).text();
    expect(raw).toContain('"balance":"123456789012345678901"');
    const [result] = await connector.getAccountBalances([coldStorage(simulator)]);
    expect((result as BalanceModel[])[0]?.total).toEqual({
      minorUnits: 123_456_789_012_345_678_901n,
      scale: 8,
      asset: 'BTC',
    });
    const ledger = { source: SOURCE, ledgerId: coldStorage(simulator).ledgerId };
    const listed = await walk(connector.listBalances(ledger, {}), 'forward', () => 4);
    expect(listed.map((balance) => `${balance.balanceId}|${balance.total.minorUnits}`)).toEqual(
      simulator.truth.balances(ledger.ledgerId).map((balance) => `${balance.balanceId}|${balance.total}`),
    );
  });

  it('reads bare integer amounts above 2^53 exactly', async () => {
    const { simulator, connector } = await start({});
    const raw = await (await fetch(`${simulator.url}/balances/${coldStorage(simulator).accountId}`)).text();
    expect(raw).toContain('"balance":123456789012345678901,');
    const [result] = await connector.getAccountBalances([coldStorage(simulator)]);
    expect((result as BalanceModel[])[0]?.total.minorUnits).toBe(123_456_789_012_345_678_901n);
  });

  it('fails a balance in a currency without a known scale with a clear SOURCE_BAD_RESPONSE, and only that one', async () => {
    const { EUR, GBP, NGN, USD, JPY } = currencyScales as Record<string, number>;
    const { simulator, connector } = await start(
      {},
      { currencyScales: { EUR, GBP, NGN, USD, JPY } as Record<string, number> },
    );
    const btc = coldStorage(simulator);
    const usd = simulator.data.balances.find((item) => item.ledgerId === btc.ledgerId && item.currency === 'USD');
    const [btcResult, usdResult] = await connector.getAccountBalances([
      btc,
      { ...btc, accountId: usd?.balanceId ?? '' },
    ]);
    expect(btcResult).toBeInstanceOf(SourceError);
    const error = btcResult as SourceError;
    expect(error.code).toBe('SOURCE_BAD_RESPONSE');
    expect(error.message).toMatch(/"BTC".*currencyScales/);
    expect(error.message).not.toMatch(/127\.0\.0\.1|http|123456789/);
    expect(Array.isArray(usdResult)).toBe(true);
    const [account] = await connector.getAccounts([btc]); // accounts need no scale
    expect(account).toMatchObject({ accountId: btc.accountId, address: '@ColdStorage' });
    expect(account).not.toHaveProperty('balances');
    await expect(
      walk(connector.listBalances({ source: SOURCE, ledgerId: btc.ledgerId }, {}), 'forward', () => 10),
    ).rejects.toMatchObject({ code: 'SOURCE_BAD_RESPONSE' });
  });

  it('takes the scale from currency_multiplier when an older server sends it', async () => {
    const { simulator, connector } = await start({ version: '0.14.5' }, { currencyScales: {} });
    const ledger = { source: SOURCE, ledgerId: coldStorage(simulator).ledgerId };
    const balances = await walk(connector.listBalances(ledger, {}), 'forward', () => 10);
    expect(balances.map((balance) => `${balance.asset}/${balance.total.scale}`).sort()).toEqual([
      'BTC/8',
      'EUR/2',
      'JPY/0',
      'NGN/2',
      'USD/2',
      'USD/2',
    ]);
  });

  it('answers NOT_FOUND for the 400 "… not found" of servers before 0.15', async () => {
    const { simulator, connector } = await start({ version: '0.14.5' });
    const missing = 'bln_00000000-0000-4000-8000-000000000000';
    const ledger = coldStorage(simulator).ledgerId;
    const [account] = await connector.getAccounts([{ source: SOURCE, ledgerId: ledger, accountId: missing }]);
    const [found] = await connector.getLedgers([{ source: SOURCE, ledgerId: 'ldg_missing' }]);
    expect(account).toBeInstanceOf(NotFoundError);
    expect(found).toBeInstanceOf(NotFoundError);
    expect(simulator.requests.map((request) => request.status)).toEqual([400, 400]);
    const raw = await (await fetch(`${simulator.url}/balances/${missing}`)).json();
    expect(raw).toEqual({ error: `NOT_FOUND: Balance with ID '${missing}' not found` });
    const [history] =
      (await connector.getHistory?.([
        { account: coldStorage(simulator), asset: 'BTC', at: ['2030-01-01T00:00:00Z'] },
      ])) ?? [];
    expect(history).toEqual([
      { at: '2030-01-01T00:00:00Z', balance: { minorUnits: 123_456_789_012_345_678_901n, scale: 8, asset: 'BTC' } },
    ]);
  });

  it('refuses answers of a server that ignored the filter (Blnk before 0.13.2 has no list filters)', async () => {
    const body =
      '[{"balance_id":"bln_someone-else","ledger_id":"ldg_elsewhere","currency":"USD","balance":1,"credit_balance":1,"debit_balance":0,"inflight_balance":0,"inflight_debit_balance":0}]';
    const server = createServer((_request, response) =>
      response.writeHead(200, { 'content-type': 'application/json' }).end(body),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    opened.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const connector = createBlnkConnector(SOURCE, {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      currencyScales: { USD: 2 },
      timeoutMs: 5_000,
    });
    opened.push(connector);
    const results = await connector.getAccounts([
      { source: SOURCE, ledgerId: 'ldg_a', accountId: 'bln_a' },
      { source: SOURCE, ledgerId: 'ldg_a', accountId: 'bln_b' },
    ]);
    expect(results.map((result) => (result as SourceError).code)).toEqual([
      'SOURCE_BAD_RESPONSE',
      'SOURCE_BAD_RESPONSE',
    ]);
    expect((results[0] as Error).message).toMatch(/filter was ignored/);
    await expect(
      walk(connector.listBalances({ source: SOURCE, ledgerId: 'ldg_a' }, {}), 'forward', () => 5),
    ).rejects.toMatchObject({ code: 'SOURCE_BAD_RESPONSE' });
  });

  it('reads the scale from currency_multiplier when it is a power of ten; 0 means the balance was created without one', () => {
    const read = (multiplier: string) =>
      mapBlnkBalance(
        SOURCE,
        parseLosslessJson(
          `{"balance_id":"bln_x","ledger_id":"ldg_x","currency":"USD","currency_multiplier":${multiplier},"balance":"-12345","credit_balance":0,"debit_balance":12345,"inflight_balance":0,"inflight_debit_balance":0}`,
        ),
        { USD: 2 },
      );
    expect(read('1000').total).toEqual({ minorUnits: -12_345n, scale: 3, asset: 'USD' });
    expect(read('100.0').total.scale).toBe(2);
    expect(read('1e+21').total.scale).toBe(21);
    expect(read('1E2').total.scale).toBe(2);
    expect(read('1').total.scale).toBe(0);
    // Go writes the float64 zero of a balance created without `precision` as 0: currencyScales decides.
    expect(read('0').total.scale).toBe(2);
    expect(read('-0').total.scale).toBe(2);
    expect(read('0.0').total.scale).toBe(2);
  });

  it('refuses a currency_multiplier that is no power of ten as SOURCE_BAD_RESPONSE, never falling back to currencyScales', () => {
    // v0.14 stores the `precision` a balance was created with, unchecked (any float64), and applies
    // it to no amount: a value that is no power of ten says nothing true about the balance's scale.
    const read = (multiplier: string) => () =>
      mapBlnkBalance(
        SOURCE,
        parseLosslessJson(
          `{"balance_id":"bln_x","ledger_id":"ldg_x","currency":"USD","currency_multiplier":${multiplier},"balance":"-12345","credit_balance":0,"debit_balance":12345,"inflight_balance":0,"inflight_debit_balance":0}`,
        ),
        { USD: 2 },
      );
    for (const multiplier of ['99', '100.5', '-100', '50', '0.01', '1e-2', '1e+37', '"100"', '"abc"', 'true', '{}']) {
      expect(read(multiplier), multiplier).toThrow(SourceError);
      expect(read(multiplier), multiplier).toThrow(
        /^source "blnk-test" sent a response the gateway cannot read: a balance's currency_multiplier is not a power of ten from 1 to 1e36$/,
      );
    }
  });

  it('fails only the balance whose currency_multiplier is unreadable, in lookups and in history', async () => {
    const good = { balance_id: 'bln_good', ledger_id: 'ldg_a', currency_multiplier: 100 };
    const bad = { balance_id: 'bln_bad', ledger_id: 'ldg_a', currency_multiplier: 99 };
    const record = (fields: Record<string, unknown>) => ({
      ...fields,
      currency: 'USD',
      balance: 1234,
      credit_balance: 1234,
      debit_balance: 0,
      inflight_balance: 0,
      inflight_debit_balance: 0,
    });
    const server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      const send = (body: unknown) =>
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (url.pathname === '/balances') send([record(good), record(bad)]);
      else if (url.pathname.endsWith('/at')) send({ balance: record(good) });
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    opened.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const connector = createBlnkConnector(SOURCE, {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      currencyScales: { USD: 2 },
      timeoutMs: 5_000,
    });
    opened.push(connector);
    const refs = [good, bad].map((item) => ({ source: SOURCE, ledgerId: 'ldg_a', accountId: item.balance_id }));
    const [goodBalances, badBalances] = await connector.getAccountBalances(refs);
    expect(goodBalances).toEqual([expect.objectContaining({ total: { minorUnits: 1234n, scale: 2, asset: 'USD' } })]);
    expect(badBalances).toMatchObject({ code: 'SOURCE_BAD_RESPONSE', sourceName: SOURCE });
    // The account still answers; only its money fails.
    const accounts = await connector.getAccounts(refs);
    expect(accounts.map((account) => (account instanceof Error ? account : account.accountId))).toEqual([
      'bln_good',
      'bln_bad',
    ]);
    const at = ['2024-01-01T00:00:00Z'];
    const history = await connector.getHistory?.(refs.map((account) => ({ account, asset: 'USD', at })));
    expect(history?.[0]).toEqual([{ at: at[0], balance: { minorUnits: 1234n, scale: 2, asset: 'USD' } }]);
    expect(history?.[1]).toMatchObject({ code: 'SOURCE_BAD_RESPONSE', sourceName: SOURCE });
  });

  it('reports a refused key as SOURCE_AUTH_FAILED without the key, after sending it as X-Blnk-Key', async () => {
    const secret = 'wrong-secret-4711';
    const { simulator, connector } = await start({ apiKey: API_KEY }, { auth: { apiKey: secret } });
    const failure = await walk(connector.listLedgers(), 'forward', () => 5).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(SourceError);
    expect(failure).toMatchObject({ code: 'SOURCE_AUTH_FAILED', sourceName: SOURCE });
    expect((failure as Error).message).not.toContain(secret);
    expect(simulator.requests[0]).toMatchObject({
      method: 'GET',
      path: '/ledgers',
      status: 401,
      headers: { 'x-blnk-key': secret },
    });
    const anonymous = createBlnkConnector(SOURCE, { url: simulator.url, currencyScales: {}, timeoutMs: 5_000 });
    opened.push(anonymous);
    const [missing] = await anonymous.getLedgers([{ source: SOURCE, ledgerId: 'ldg_x' }]);
    expect(missing).toMatchObject({ code: 'SOURCE_AUTH_FAILED' });
    expect(simulator.requests.at(-1)?.headers['x-blnk-key']).toBeUndefined();
  });

  it('refuses options it cannot use when the configuration is read, naming the field', () => {
    const parse = (fields: Record<string, unknown>) => () =>
      parseConfig({
        sources: [{ name: 'x', kind: 'blnk', url: 'http://127.0.0.1:5001', currencyScales: { USD: 2 }, ...fields }],
      });
    expect(parse({ url: 'not a url' })).toThrow(/^sources\[0\]\.url: /);
    expect(parse({ currencyScales: { USD: 2.5 } })).toThrow(/^sources\[0\]\.currencyScales\.USD: /);
    expect(parse({ auth: { apiKey: '' } })).toThrow(/^sources\[0\]\.auth\.apiKey: /);
    expect(parse({ batchWith: 'post' })).toThrow(/^sources\[0\]\.batchWith: /);
  });
});
