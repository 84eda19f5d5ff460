import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadUserInputError, NotFoundError } from '../../src/errors.ts';
import { HISTORY_CONCURRENCY } from '../../src/providers/blnk/history.ts';
import { createBlnkConnector } from '../../src/providers/blnk/index.ts';
import type { AccountRef, Connector, HistoryPointModel, HistoryRequest } from '../../src/providers/types.ts';
import { totalsAt, type BlnkSeedBalance } from '../../src/simulators/blnk/data.ts';
import {
  currencyScales,
  startBlnkSimulator,
  type BlnkSimulatorHandle,
  type BlnkSimulatorOptions,
} from '../../src/simulators/blnk/index.ts';
import { formatGoTime } from '../../src/simulators/blnk/wire.ts';

const API_KEY = 'blnk-history-key';
const SOURCE = 'blnk-history';

describe('blnk: balance history (GET /balances/{id}/at)', () => {
  const opened: Array<{ close(): Promise<void> }> = [];
  const start = async (
    options: BlnkSimulatorOptions = {},
  ): Promise<{ simulator: BlnkSimulatorHandle; connector: Connector }> => {
    const simulator = await startBlnkSimulator({ apiKey: API_KEY, ...options });
    const connector = createBlnkConnector(SOURCE, {
      url: simulator.url,
      auth: { apiKey: API_KEY },
      currencyScales: { ...currencyScales },
      timeoutMs: 5_000,
    });
    opened.push(simulator, connector);
    return { simulator, connector };
  };
  let simulator: BlnkSimulatorHandle;
  let connector: Connector;
  beforeAll(async () => {
    ({ simulator, connector } = await start());
  });
  afterAll(async () => {
    for (const item of opened.reverse()) await item.close();
  });

  const seeded = (test: (balance: BlnkSeedBalance) => boolean, from = simulator): BlnkSeedBalance => {
    const balance = from.data.balances.find(test);
    if (!balance) throw new Error('no such balance in the seed');
    return balance;
  };
  const refOf = (balance: BlnkSeedBalance): AccountRef => ({
    source: SOURCE,
    ledgerId: balance.ledgerId,
    accountId: balance.balanceId,
  });
  const ada = (from = simulator) => seeded((balance) => balance.metaData?.name === 'Ada Okafor (USD)', from);
  const micros = (iso: string) => Date.parse(iso) * 1000;
  const history = async (target: Connector, requests: HistoryRequest[]) => {
    if (!target.getHistory) throw new Error('no history');
    return target.getHistory(requests);
  };

  it('reads each instant exactly, zero before the first movement as v0.15.2 answers, and sends RFC 3339 timestamps', async () => {
    const balance = ada();
    const [first, second] = balance.movements as [
      BlnkSeedBalance['movements'][number],
      BlnkSeedBalance['movements'][number],
    ];
    const at = [
      '2024-01-01T00:00:00Z',
      formatGoTime(first.atMicros),
      formatGoTime(second.atMicros - 1),
      '2024-12-31',
      '2025-01-01T00:00:00+01:00',
    ];
    const sent = ['2024-01-01T00:00:00Z', at[1], at[2], '2024-12-31T00:00:00.000Z', '2025-01-01T00:00:00+01:00'];
    simulator.resetRequests();
    const [points] = await history(connector, [{ account: refOf(balance), asset: 'USD', at }]);

    const expected = [
      micros('2024-01-01T00:00:00Z'),
      first.atMicros,
      second.atMicros - 1,
      micros('2024-12-31T00:00:00Z'),
      micros('2024-12-31T23:00:00Z'),
    ];
    expect(points).toEqual(
      at.map((instant, index) => ({
        at: instant,
        balance: { minorUnits: totalsAt(balance, expected[index]).balance, scale: 2, asset: 'USD' },
      })),
    );
    expect((points as HistoryPointModel[]).map((point) => point.balance.minorUnits)).toEqual([
      0n,
      500_000n,
      500_000n,
      382_476n,
      382_476n,
    ]);

    const reads = simulator.requests.filter((request) => request.path.endsWith('/at'));
    expect(reads.map((request) => request.path)).toEqual(at.map(() => `/balances/${balance.balanceId}/at`));
    expect(reads.map((request) => request.query)).toEqual(sent.map((timestamp) => ({ timestamp: [timestamp] })));
    expect(reads.every((request) => request.headers['x-blnk-key'] === API_KEY && request.status === 200)).toBe(true);
    expect(simulator.requests).toHaveLength(1 + at.length); // one lookup of the balance (ledger, currency, scale), then the reads
  });

  it('reads amounts above 2^53 exactly', async () => {
    const cold = seeded((balance) => balance.indicator === '@ColdStorage');
    const [points] = await history(connector, [{ account: refOf(cold), asset: 'BTC', at: ['2030-01-01T00:00:00Z'] }]);
    expect(points).toEqual([
      { at: '2030-01-01T00:00:00Z', balance: { minorUnits: 123_456_789_012_345_678_901n, scale: 8, asset: 'BTC' } },
    ]);
  });

  it('skips instants the server has no data for (404 BAL_HISTORY_NOT_FOUND)', async () => {
    const { simulator: strict, connector: strictConnector } = await start({ historyBeforeFirstMovement: 'not-found' });
    const balance = ada(strict);
    const last = balance.movements.at(-1)?.atMicros ?? 0;
    const [points] = await history(strictConnector, [
      { account: refOf(balance), asset: 'USD', at: ['2024-01-01T00:00:00Z', formatGoTime(last)] },
    ]);
    expect(strict.requests.filter((request) => request.path.endsWith('/at')).map((request) => request.status)).toEqual([
      404, 200,
    ]);
    expect(points).toEqual([{ at: formatGoTime(last), balance: { minorUnits: 382_476n, scale: 2, asset: 'USD' } }]);
  });

  it('answers each request in key order: NOT_FOUND for an unknown account, another ledger or another asset; BAD_USER_INPUT for a bad instant', async () => {
    const usd = ada();
    const eur = seeded((balance) => balance.metaData?.name === 'Ada Okafor (EUR)');
    const at = ['2030-01-01T00:00:00Z'];
    simulator.resetRequests();
    const results = await history(connector, [
      { account: { ...refOf(usd), accountId: 'bln_00000000-0000-4000-8000-000000000000' }, asset: 'USD', at },
      { account: refOf(eur), asset: 'EUR', at },
      { account: refOf(usd), asset: 'EUR', at },
      { account: { ...refOf(usd), ledgerId: 'ldg_other' }, asset: 'USD', at },
      { account: refOf(usd), asset: 'USD', at: ['yesterday-ish'] },
      { account: refOf(usd), asset: 'USD', at },
    ]);
    expect(results[0]).toBeInstanceOf(NotFoundError);
    expect(results[1]).toEqual([{ at: at[0], balance: { minorUnits: 67_655n, scale: 2, asset: 'EUR' } }]);
    expect(results[2]).toBeInstanceOf(NotFoundError);
    expect(results[3]).toBeInstanceOf(NotFoundError);
    expect(results[4]).toBeInstanceOf(BadUserInputError);
    expect(results[5]).toEqual([{ at: at[0], balance: { minorUnits: 382_476n, scale: 2, asset: 'USD' } }]);
    // One batched lookup, then /at only for the requests that can be answered.
    expect(simulator.requests.map((request) => request.path.replace(/bln_[^/]+/, '{id}'))).toEqual([
      '/balances',
      '/balances/{id}/at',
      '/balances/{id}/at',
    ]);
  });

  it(`keeps at most ${HISTORY_CONCURRENCY} reads in flight across the whole batch`, async () => {
    const { simulator: slow, connector: slowConnector } = await start({ latencyMs: 25 });
    const balances = slow.data.balances.filter((balance) => balance.currency === 'USD').slice(0, 3);
    const at = Array.from({ length: 10 }, (_, index) => `2024-0${(index % 9) + 1}-15T12:00:0${index % 10}Z`);
    slow.resetRequests();
    const results = await history(
      slowConnector,
      balances.map((balance) => ({ account: refOf(balance), asset: 'USD', at })),
    );
    expect(slow.requests.filter((request) => request.path.endsWith('/at'))).toHaveLength(30);
    expect(slow.peakInFlight).toBe(HISTORY_CONCURRENCY);
    results.forEach((points, index) => {
      const balance = balances[index] as BlnkSeedBalance;
      expect((points as HistoryPointModel[]).map((point) => point.balance.minorUnits)).toEqual(
        at.map((instant) => totalsAt(balance, micros(instant)).balance),
      );
    });
  });
});
