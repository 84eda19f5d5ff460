import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BadUserInputError, NotFoundError } from '../../src/errors.ts';
import { midazDate } from '../../src/providers/midaz/history.ts';
import { createMidazConnector } from '../../src/providers/midaz/index.ts';
import type { AccountRef, Connector, HistoryPointModel, HistoryRequest } from '../../src/providers/types.ts';
import {
  MIDAZ_ASSET_SCALES,
  MIDAZ_DEMO_ORGANIZATION_ID,
  startMidazSimulator,
  type MidazSeedBalance,
  type MidazSimulatorHandle,
  type MidazSimulatorOptions,
} from '../../src/simulators/midaz/index.ts';

const TOKEN = 'midaz-history-token';
const SOURCE = 'midaz-history';
const HOUR = 3_600_000;

describe('midaz: balance history (GET …/accounts/{id}/balances/history?date=)', () => {
  const opened: Array<{ close(): Promise<void> }> = [];
  const start = async (options: MidazSimulatorOptions = {}) => {
    const simulator = await startMidazSimulator({ token: TOKEN, ...options });
    const connector = createMidazConnector(SOURCE, {
      url: simulator.url,
      organizationId: MIDAZ_DEMO_ORGANIZATION_ID,
      auth: { token: TOKEN },
      assetScales: { ...MIDAZ_ASSET_SCALES },
      timeoutMs: 5_000,
    });
    opened.push(simulator, connector);
    return { simulator, connector };
  };
  let simulator: MidazSimulatorHandle;
  let connector: Connector;
  beforeAll(async () => {
    ({ simulator, connector } = await start());
  });
  afterAll(async () => {
    for (const item of opened.reverse()) await item.close();
  });

  const mainOf = (alias: string, from = simulator): MidazSeedBalance => {
    const balance = from.data.balances.find((item) => item.alias === alias && item.key === 'default');
    if (!balance) throw new Error(`no balance ${alias}`);
    return balance;
  };
  const refOf = (balance: MidazSeedBalance): AccountRef => ({
    source: SOURCE,
    ledgerId: balance.ledgerId,
    accountId: balance.accountId,
  });
  /** The instant at whole seconds, rounded down. */
  const iso = (micros: number) => new Date(Math.floor(micros / 1_000_000) * 1000).toISOString();
  const history = (target: Connector, requests: HistoryRequest[]) => {
    if (!target.getHistory) throw new Error('no history');
    return target.getHistory(requests);
  };
  const amounts = (points: unknown) => (points as HistoryPointModel[]).map((point) => point.balance.minorUnits);
  const historyCalls = (from = simulator) =>
    from.requests.filter((request) => request.path.endsWith('/balances/history'));

  it('reads each instant in UTC as yyyy-mm-dd hh:mm:ss (milliseconds only when there are some), holds included, nothing before the account existed', async () => {
    const carla = mainOf('@carla_costa');
    const created = carla.createdAtMicros;
    const at = [
      iso(created - 24 * HOUR * 1000),
      iso(created + 30 * 60 * 1_000_000),
      iso(created + 2 * HOUR * 1000),
      '2025-12-31T21:00:00.250-03:00',
    ];
    simulator.resetRequests();
    const [points] = await history(connector, [{ account: refOf(carla), asset: 'BRL', at }]);
    // Before the account: 404 0141, left out. After creation, before any transaction: zero. Then the deposit; later a hold (available + on hold).
    expect(points).toEqual(
      at.slice(1).map((instant, index) => ({
        at: instant,
        balance: { minorUnits: [0n, 250_000n, 250_000n][index], scale: 2, asset: 'BRL' },
      })),
    );
    const dates = historyCalls().map((request) => request.query.date?.[0]);
    expect(dates).toEqual(at.map((instant) => midazDate(Date.parse(instant))));
    expect(dates.at(-1)).toBe('2026-01-01 00:00:00.250');
    expect(dates[1]).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(historyCalls().map((request) => request.status)).toEqual([404, 200, 200, 200]);
    expect(historyCalls().every((request) => request.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);
  });

  it('tells an overdrawn account\'s debt from its overdraft companion, as v3.8.0 history rows carry overdraftUsed "0"', async () => {
    const joao = mainOf('@joao_pereira');
    const [, overdraw] = joao.operations as [
      MidazSeedBalance['operations'][number],
      MidazSeedBalance['operations'][number],
    ];
    const [points] = await history(connector, [
      {
        account: refOf(joao),
        asset: 'BRL',
        at: [iso(overdraw.atMicros - 1_000_000), iso(overdraw.atMicros + 1_000_000), '2026-01-01T00:00:00Z'],
      },
    ]);
    expect(amounts(points)).toEqual([50_000n, -125_075n, -125_075n]);
    const raw = await fetch(
      `${simulator.url}/v1/organizations/${MIDAZ_DEMO_ORGANIZATION_ID}/ledgers/${joao.ledgerId}/accounts/${joao.accountId}/balances/history?date=2026-01-01+00:00:00`,
      { headers: { authorization: `Bearer ${TOKEN}` } },
    );
    const rows = (await raw.json()) as Array<{ key: string; available: string; overdraftUsed: string }>;
    expect(rows.map((row) => [row.key, row.available, row.overdraftUsed])).toEqual([
      ['default', '0', '0'],
      ['overdraft', '1250.75', '0'],
    ]);
  });

  it('sums the balance keys of the asset, exactly above 2^53', async () => {
    const reserve = mainOf('@brl_reserve');
    const [points] = await history(connector, [
      { account: refOf(reserve), asset: 'BRL', at: ['2026-01-01T00:00:00Z'] },
    ]);
    expect(amounts(points)).toEqual([987_654_321_098_765_432n]);
    const cold = mainOf('@btc_cold_storage');
    const [coldPoints] = await history(connector, [
      { account: refOf(cold), asset: 'BTC', at: ['2026-01-01T00:00:00Z'] },
    ]);
    expect(coldPoints).toEqual([
      { at: '2026-01-01T00:00:00Z', balance: { minorUnits: 12_345_678_901_234_567_891n, scale: 8, asset: 'BTC' } },
    ]);
  });

  it('never asks for an instant after its own clock, and asks each (account, instant) once across the batch', async () => {
    const maria = mainOf('@maria_oliveira');
    const pedro = mainOf('@pedro_lima');
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const at = ['2025-06-01T00:00:00Z', '2025-07-01T00:00:00Z', future];
    simulator.resetRequests();
    const results = await history(connector, [
      { account: refOf(maria), asset: 'BRL', at },
      { account: refOf(maria), asset: 'USD', at },
      { account: { ...refOf(maria), accountId: maria.accountId.toUpperCase() }, asset: 'BRL', at: at.slice(0, 1) },
      { account: refOf(pedro), asset: 'BRL', at },
    ]);
    expect(amounts(results[0])).toEqual([100_000n, 100_000n]);
    expect(results[1]).toEqual([]); // the account holds no USD: no point, the resolver decides
    expect(amounts(results[2])).toEqual([100_000n]);
    expect(amounts(results[3])).toEqual([1_000_050n, 1_000_050n]);
    expect(historyCalls()).toHaveLength(4);
    expect(historyCalls().every((request) => request.query.date?.[0]?.startsWith('2025-'))).toBe(true);
  });

  it('leaves out an instant the server calls future (400 0140, its clock behind ours)', async () => {
    const { simulator: late, connector: lateConnector } = await start({
      clock: () => Date.parse('2025-06-15T00:00:00Z'),
    });
    const maria = mainOf('@maria_oliveira', late);
    const [points] = await history(lateConnector, [
      { account: refOf(maria), asset: 'BRL', at: ['2025-06-01T00:00:00Z', '2025-07-01T00:00:00Z'] },
    ]);
    expect(historyCalls(late).map((request) => request.status)).toEqual([200, 400]);
    expect(points).toEqual([{ at: '2025-06-01T00:00:00Z', balance: { minorUnits: 100_000n, scale: 2, asset: 'BRL' } }]);
  });

  it('answers per request: NOT_FOUND for ids that cannot be Midaz ids, BAD_USER_INPUT for a bad instant, nothing for an unknown account', async () => {
    const maria = mainOf('@maria_oliveira');
    simulator.resetRequests();
    const results = await history(connector, [
      { account: { ...refOf(maria), accountId: 'users:001' }, asset: 'BRL', at: ['2025-06-01T00:00:00Z'] },
      { account: refOf(maria), asset: 'BRL', at: ['next tuesday'] },
      {
        account: { ...refOf(maria), accountId: '01950000-0000-7000-8000-000000000000' },
        asset: 'BRL',
        at: ['2025-06-01T00:00:00Z'],
      },
      { account: refOf(maria), asset: 'BRL', at: ['2025-06-01T00:00:00Z'] },
    ]);
    expect(results[0]).toBeInstanceOf(NotFoundError);
    expect(results[1]).toBeInstanceOf(BadUserInputError);
    expect(results[2]).toEqual([]); // 404 0141: the endpoint does not check the account
    expect(amounts(results[3])).toEqual([100_000n]);
    expect(historyCalls()).toHaveLength(2);
  });

  it('keeps at most 8 reads in flight across the whole batch', async () => {
    const { simulator: slow, connector: slowConnector } = await start({ latencyMs: 20 });
    const customers = slow.data.balances
      .filter((balance) => balance.key === 'default' && balance.accountType === 'deposit')
      .slice(10, 13);
    const at = Array.from({ length: 10 }, (_, index) => `2025-0${(index % 9) + 1}-15T12:00:0${index}Z`);
    slow.resetRequests();
    const results = await history(
      slowConnector,
      customers.map((balance) => ({ account: refOf(balance), asset: balance.assetCode, at })),
    );
    expect(historyCalls(slow)).toHaveLength(30);
    expect(slow.peakInFlight).toBe(8);
    expect(results.every((result) => Array.isArray(result))).toBe(true);
  });
});
