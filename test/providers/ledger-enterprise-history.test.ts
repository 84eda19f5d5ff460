import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BadUserInputError, NotFoundError, UnsupportedBySourceError } from '../../src/errors.ts';
import { instantMicros } from '../../src/providers/ledger-enterprise/history.ts';
import { createLedgerEnterpriseConnector } from '../../src/providers/ledger-enterprise/index.ts';
import type { AccountRef, Connector, HistoryPointModel, HistoryRequest } from '../../src/providers/types.ts';
import {
  assetOf,
  CURRENCIES,
  formatPythonTime,
  startLedgerEnterpriseSimulator,
  totalAt,
  type LedgerEnterpriseSimulatorHandle,
  type SeedAccount,
} from '../../src/simulators/ledger-enterprise/index.ts';

const API_USER = 'le-history-user';
const API_KEY = 'le-history-key';
const SOURCE = 'le-history';

describe('ledger-enterprise: balance history (GET /accounts/{id}/balances/history)', () => {
  let simulator: LedgerEnterpriseSimulatorHandle;
  let connector: Connector;
  const opened: Array<{ close(): Promise<void> }> = [];
  const connect = (): Connector => {
    const created = createLedgerEnterpriseConnector(SOURCE, {
      url: simulator.url,
      auth: { apiUser: API_USER, apiKey: API_KEY },
      timeoutMs: 5_000,
    });
    opened.push(created);
    return created;
  };
  const refOf = (account: SeedAccount): AccountRef => ({
    source: SOURCE,
    ledgerId: 'workspace',
    accountId: String(account.id),
  });
  const seeded = (test: (account: SeedAccount) => boolean): SeedAccount => {
    const account = simulator.data.accounts.find(test);
    if (!account) throw new Error('no such account in the seed');
    return account;
  };
  const history = (target: Connector, requests: HistoryRequest[]) => {
    if (!target.getHistory) throw new Error('no history');
    return target.getHistory(requests);
  };
  /** What the balance was at an instant, per the seed: null before the first movement. */
  const expectedAt = (account: SeedAccount, at: readonly string[]) =>
    at.flatMap((instant) => {
      const total = totalAt(account, instantMicros(instant) ?? 0);
      return total === null
        ? []
        : [
            {
              at: instant,
              balance: { minorUnits: total, scale: account.currency.magnitude, asset: assetOf(account.currency) },
            },
          ];
    });

  beforeAll(async () => {
    simulator = await startLedgerEnterpriseSimulator({ apiUser: API_USER, apiKey: API_KEY });
    opened.push(simulator);
    connector = connect();
    // The resolver reaches history through an account it has read: so does this connector.
    await connector.getAccounts(simulator.data.accounts.map(refOf));
  });
  afterAll(async () => {
    for (const item of opened.reverse()) await item.close();
  });
  beforeEach(() => simulator.resetRequests());

  it('reads each instant exactly with one call from the first instant to the last, to the microsecond', async () => {
    const bitcoin = seeded((account) => account.currency === CURRENCIES.bitcoin && account.movements.length >= 3);
    const [first, second, third] = bitcoin.movements as [
      SeedAccount['movements'][number],
      SeedAccount['movements'][number],
      SeedAccount['movements'][number],
    ];
    const at = [
      formatPythonTime(bitcoin.createdOnMicros - 1_000_000), // before the account held anything: left out
      formatPythonTime(first.atMicros),
      formatPythonTime(second.atMicros - 1), // one microsecond before the second movement
      new Date(Math.floor(second.atMicros / 1000) + 1).toISOString(),
      formatPythonTime(third.atMicros),
      '2030-01-01T00:00:00Z',
    ];
    const [points] = await history(connector, [{ account: refOf(bitcoin), asset: 'bitcoin', at }]);
    const values = (points as HistoryPointModel[]).map((point) => point.balance.minorUnits);
    expect(values).toEqual([first.total, first.total, second.total, third.total, totalAt(bitcoin) as bigint]);
    expect(points).toEqual(expectedAt(bitcoin, at));
    expect(
      (points as HistoryPointModel[]).every((point) => point.balance.scale === 8 && point.balance.asset === 'bitcoin'),
    ).toBe(true);

    expect(simulator.requests).toHaveLength(1);
    expect(simulator.requests[0]).toMatchObject({
      method: 'GET',
      path: `/accounts/${bitcoin.id}/balances/history`,
      query: { start: [at[0]], end: [at.at(-1)] },
      status: 200,
    });
    expect(simulator.requests[0]?.headers).toMatchObject({
      'x-ledger-api-user': API_USER,
      'x-ledger-api-key': API_KEY,
    });
  });

  it('answers a window that opens after some movements from the point the Vault gives at its start', async () => {
    const ether = seeded((account) => account.currency === CURRENCIES.ethereum && account.movements.length >= 3);
    const [, second, third] = ether.movements as [
      unknown,
      SeedAccount['movements'][number],
      SeedAccount['movements'][number],
    ];
    const at = [
      formatPythonTime(second.atMicros + 1000),
      formatPythonTime(third.atMicros - 1000),
      formatPythonTime(third.atMicros),
    ];
    const [points] = await history(connector, [{ account: refOf(ether), asset: 'ethereum', at }]);
    expect(points).toEqual(expectedAt(ether, at));
    expect((points as HistoryPointModel[]).map((point) => point.balance.minorUnits)).toEqual([
      second.total,
      second.total,
      third.total,
    ]);
    expect(second.total > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true); // wei: far above 2^53, still exact
  });

  it('reads token history in the token scale, and nothing for a window before an account was funded', async () => {
    const usdc = seeded((account) => account.currency === CURRENCIES.usdc && account.movements.length > 0);
    const early = ['2020-01-01T00:00:00Z', '2020-06-01T00:00:00Z'];
    const late = ['2025-06-01T00:00:00Z'];
    const [before, after] = await history(connector, [
      { account: refOf(usdc), asset: assetOf(CURRENCIES.usdc), at: early },
      { account: refOf(usdc), asset: assetOf(CURRENCIES.usdc), at: late },
    ]);
    expect(before).toEqual([]);
    expect(after).toEqual([
      { at: late[0], balance: { minorUnits: totalAt(usdc), scale: 6, asset: assetOf(CURRENCIES.usdc) } },
    ]);
  });

  it('501 (no history for the currency) is UNSUPPORTED_BY_SOURCE for that request only', async () => {
    const solana = seeded((account) => account.currency === CURRENCIES.solana);
    const bitcoin = seeded((account) => account.currency === CURRENCIES.bitcoin && account.movements.length > 0);
    const at = ['2024-06-01T00:00:00Z', '2025-06-01T00:00:00Z'];
    const [unsupported, fine] = await history(connector, [
      { account: refOf(solana), asset: 'solana', at },
      { account: refOf(bitcoin), asset: 'bitcoin', at },
    ]);
    expect(unsupported).toBeInstanceOf(UnsupportedBySourceError);
    expect(unsupported).toMatchObject({
      code: 'UNSUPPORTED_BY_SOURCE',
      sourceName: SOURCE,
      extensions: { code: 'UNSUPPORTED_BY_SOURCE', source: SOURCE },
    });
    expect(fine).toEqual(expectedAt(bitcoin, at));
    expect(simulator.requests.map((request) => request.status).sort()).toEqual([200, 501]);
  });

  it('answers each request in key order: NOT_FOUND for an unknown account or another asset, BAD_USER_INPUT for a bad instant', async () => {
    const bitcoin = seeded((account) => account.currency === CURRENCIES.bitcoin && account.movements.length > 0);
    const at = ['2030-01-01T00:00:00Z'];
    const results = await history(connector, [
      { account: { ...refOf(bitcoin), accountId: '999999' }, asset: 'bitcoin', at },
      { account: refOf(bitcoin), asset: 'ethereum', at },
      { account: refOf(bitcoin), asset: 'bitcoin', at: ['yesterday-ish'] },
      { account: refOf(bitcoin), asset: 'bitcoin', at: ['2030-01-01T00:00:00'] }, // no zone: ambiguous
      { account: { ...refOf(bitcoin), ledgerId: 'other' }, asset: 'bitcoin', at },
      { account: refOf(bitcoin), asset: 'bitcoin', at: [] },
      { account: refOf(bitcoin), asset: 'bitcoin', at },
    ]);
    expect(results[0]).toBeInstanceOf(NotFoundError);
    expect(results[1]).toBeInstanceOf(NotFoundError);
    expect(results[2]).toBeInstanceOf(BadUserInputError);
    expect(results[3]).toBeInstanceOf(BadUserInputError);
    expect(results[4]).toBeInstanceOf(NotFoundError);
    expect(results[5]).toEqual([]);
    expect(results[6]).toEqual(expectedAt(bitcoin, at));
    // The unknown id is read once to learn it does not exist; then only the answerable request asks for history.
    expect(simulator.requests.map((request) => `${request.path} ${request.status}`)).toEqual([
      '/accounts/999999 404',
      `/accounts/${bitcoin.id}/balances/history 200`,
    ]);
  });

  it('reads an account it has not seen first, to check the asset asked for', async () => {
    const fresh = connect();
    const ripple = seeded((account) => account.currency === CURRENCIES.ripple && account.movements.length > 0);
    const at = ['2025-06-01T00:00:00Z'];
    const [points] = await history(fresh, [{ account: refOf(ripple), asset: 'ripple', at }]);
    expect(points).toEqual(expectedAt(ripple, at));
    expect(simulator.requests.map((request) => request.path)).toEqual([
      `/accounts/${ripple.id}`,
      `/accounts/${ripple.id}/balances/history`,
    ]);
  });

  it('reads Vault dates: Python isoformat with or without a fraction, offsets, and no zone as UTC', () => {
    expect(instantMicros('2025-06-27T13:51:52.081391+00:00', true)).toBe(
      Date.UTC(2025, 5, 27, 13, 51, 52, 81) * 1000 + 391,
    );
    expect(instantMicros('2025-06-27T13:51:52+00:00', true)).toBe(Date.UTC(2025, 5, 27, 13, 51, 52) * 1000);
    expect(instantMicros('2025-06-27T15:51:52+02:00')).toBe(Date.UTC(2025, 5, 27, 13, 51, 52) * 1000);
    expect(instantMicros('2025-06-27T13:51:52', true)).toBe(Date.UTC(2025, 5, 27, 13, 51, 52) * 1000);
    expect(instantMicros('2025-06-27T13:51:52')).toBeNull();
    expect(instantMicros('27/06/2025')).toBeNull();
  });
});
