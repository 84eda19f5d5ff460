import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BadUserInputError, NotFoundError, type SourceError, UnsupportedBySourceError } from '../../src/errors.ts';
import { money } from '../../src/money.ts';
import { HISTORY_CONCURRENCY } from '../../src/providers/formance/history.ts';
import { formanceEndTime } from '../../src/providers/formance/history-plan.ts';
import { createFormanceConnector } from '../../src/providers/formance/index.ts';
import { capabilitiesOf } from '../../src/providers/capabilities.ts';
import type { AccountRef, Connector, HistoryPointModel, HistoryRequest } from '../../src/providers/types.ts';
import {
  FORMANCE_DEMO_CLIENT_ID,
  FORMANCE_DEMO_CLIENT_SECRET,
  startFormanceSimulator,
  type FormanceSimulator,
} from '../../src/simulators/formance/index.ts';
import type { RecordedRequest } from '../../src/simulators/types.ts';
import { encodeGlobalId } from '../../src/relay/global-id.ts';
import { startTestGateway } from '../helpers/gateway.ts';
import { checkAgainstSpec, specsAvailable } from './openapi.ts';

/** Balance history through `GET /v2/{ledger}/volumes?endTime=` (ledger v2.4.6), against the simulator's timeline. */

const SOURCE = 'formance-history';
const auth = { clientId: FORMANCE_DEMO_CLIENT_ID, clientSecret: FORMANCE_DEMO_CLIENT_SECRET };
const ref = (ledgerId: string, accountId: string): AccountRef => ({ source: SOURCE, ledgerId, accountId });
const volumesCalls = (requests: readonly RecordedRequest[]) =>
  requests.filter((request) => request.path.endsWith('/volumes'));
const ledgerCalls = (requests: readonly RecordedRequest[]) =>
  requests
    .filter((request) => request.path.startsWith('/api/ledger/'))
    .map((request) => `${request.method} ${request.path}`);
const inFilter = (request: RecordedRequest | undefined): string[] =>
  (JSON.parse(request?.query.query?.[0] ?? '{}') as { $in: { address: string[] } }).$in.address;
const history = (connector: Connector, requests: HistoryRequest[]) => {
  if (!connector.getHistory) throw new Error('no history');
  return connector.getHistory(requests);
};
const points = (result: readonly HistoryPointModel[] | Error | undefined): HistoryPointModel[] => {
  if (!Array.isArray(result)) throw result ?? new Error('no result');
  return [...result];
};
/** One microsecond before an RFC 3339 whole-second instant. */
const microBefore = (instant: string) => `${new Date(Date.parse(instant) - 1000).toISOString().slice(0, 19)}.999999Z`;

describe('formance: the endTime sent for an instant', () => {
  it('is RFC 3339 in UTC, cut to the microsecond; null for what is no instant', () => {
    const cases: Array<[string, string | null]> = [
      ['2025-06-01T00:00:00Z', '2025-06-01T00:00:00Z'],
      ['2025-06-01T00:00:00.000Z', '2025-06-01T00:00:00Z'],
      ['2025-06-01T02:30:00+02:30', '2025-06-01T00:00:00Z'],
      ['2025-05-31T19:00:00.1234567-05:00', '2025-06-01T00:00:00.123456Z'],
      ['2025-06-01t00:00:00,5z', '2025-06-01T00:00:00.5Z'],
      ['2025-06-01', '2025-06-01T00:00:00Z'],
      ['2025-02-30T00:00:00Z', null],
      ['2025-06-01T24:00:00Z', null],
      ['+010000-01-01T00:00:00Z', null],
      ['yesterday', null],
      ['', null],
    ];
    expect(cases.map(([at]) => formanceEndTime(at))).toEqual(cases.map(([, endTime]) => endTime));
    // Go's zero time reads as "no date" on the server (today's volumes): such an instant is never sent.
    expect(typeof formanceEndTime('0001-01-01T00:00:00Z')).toBe('symbol');
    expect(typeof formanceEndTime('0000-06-01T00:00:00Z')).toBe('symbol');
    expect(formanceEndTime('0001-01-01T00:00:00.000001Z')).toBe('0001-01-01T00:00:00.000001Z');
  });
});

describe('formance: balance history (GET /v2/{ledger}/volumes?endTime=)', () => {
  let simulator: FormanceSimulator;
  let connector: Connector;

  beforeAll(async () => {
    simulator = await startFormanceSimulator();
    connector = createFormanceConnector(SOURCE, { url: simulator.url, auth, timeoutMs: 5_000 });
  });
  afterAll(async () => {
    await connector.close();
    await simulator.close();
  });
  beforeEach(() => simulator.resetRequests());

  /** What the simulator's books say for a request: a point per instant where the account had moved the asset. */
  const expected = (ledgerId: string, address: string, asset: string, at: readonly string[]): HistoryPointModel[] => {
    const balance = simulator.truth
      .balances(ledgerId)
      .find((item) => item.accountId === address && item.asset === asset);
    if (!balance) return [];
    return at.flatMap((instant) => {
      const amount = simulator.history.balanceAt(ledgerId, address, balance.balanceId, instant);
      return amount === null ? [] : [{ at: instant, balance: money(amount, balance.scale, asset) }];
    });
  };

  it('has the HISTORY capability', () => {
    expect(capabilitiesOf(connector)).toContain('HISTORY');
  });

  it('reads each instant exactly: moves dated at or before it count, one microsecond earlier they do not', async () => {
    const [received, sent] = simulator.history
      .timeline('treasury', 'treasury:cold:btc', 'BTC/8')
      .map((move) => move.at) as [string, string];
    expect([received, sent]).toEqual(['2025-01-06T09:00:00Z', '2025-04-11T05:34:17Z']);
    const at = [
      '2025-01-01T00:00:00Z',
      microBefore(received),
      received,
      microBefore(sent),
      sent,
      '2025-04-11T07:34:17+02:00',
      '2026-11-22T00:00:00.000Z',
    ];
    const [cold, world, hot] = await history(connector, [
      { account: ref('treasury', 'treasury:cold:btc'), asset: 'BTC', at },
      { account: ref('treasury', 'world'), asset: 'BTC', at },
      { account: ref('treasury', 'treasury:hot:btc'), asset: 'BTC', at },
    ]);

    const btc = (minorUnits: bigint) => ({ minorUnits, scale: 8, asset: 'BTC' });
    // Before its first move an account has no row: the instant is left out (the resolver fills a zero).
    expect(cold).toEqual([
      { at: received, balance: btc(123_456_789_012_345_678_901n) },
      { at: microBefore(sent), balance: btc(123_456_789_012_345_678_901n) },
      { at: sent, balance: btc(123_456_789_011_095_678_901n) },
      { at: '2025-04-11T07:34:17+02:00', balance: btc(123_456_789_011_095_678_901n) }, // the same instant as `sent`: `at` is echoed as asked
      { at: '2026-11-22T00:00:00.000Z', balance: btc(123_456_789_011_095_678_901n) },
    ]);
    expect(world).toEqual(at.slice(2).map((instant) => ({ at: instant, balance: btc(-123_456_789_012_345_678_901n) })));
    expect(hot).toEqual(
      [sent, '2025-04-11T07:34:17+02:00', '2026-11-22T00:00:00.000Z'].map((instant) => ({
        at: instant,
        balance: btc(1_250_000_000n),
      })),
    );
    expect([cold, world, hot]).toEqual([
      expected('treasury', 'treasury:cold:btc', 'BTC', at),
      expected('treasury', 'world', 'BTC', at),
      expected('treasury', 'treasury:hot:btc', 'BTC', at),
    ]);

    // One call per distinct instant for all three accounts; `+02:00` is the same instant as `sent`, in UTC.
    const calls = volumesCalls(simulator.requests);
    expect(calls.map((request) => request.query.endTime?.[0])).toEqual([
      '2025-01-01T00:00:00Z',
      microBefore(received),
      received,
      microBefore(sent),
      sent,
      '2026-11-22T00:00:00Z',
    ]);
    expect(calls.every((request) => request.query.pageSize?.[0] === '100' && request.status === 200)).toBe(true);
    expect(calls.map(inFilter)).toEqual(calls.map(() => ['treasury:cold:btc', 'world', 'treasury:hot:btc']));
    expect(calls.every((request) => /^Bearer \S+$/.test(request.headers.authorization ?? ''))).toBe(true);
  });

  it('reads a long timeline point by point, a zero balance included, and cuts fractions to the microsecond', async () => {
    const moves = simulator.history.timeline('main', 'platform:fees', 'USD/2');
    expect(moves.length).toBeGreaterThan(50);
    const at = moves.map((move) => move.at);
    const [fees, btc, spent] = await history(connector, [
      { account: ref('main', 'platform:fees'), asset: 'USD', at },
      {
        account: ref('main', 'platform:fees'),
        asset: 'BTC',
        at: ['2026-11-01T08:59:59.9999999Z', '2026-11-01T09:00:00.0000004Z', '2026-11-01T09:00:00Z'],
      },
      { account: ref('main', 'users:0250'), asset: 'USD', at: ['2026-10-31T05:51:05Z', '2026-10-31T05:51:06Z'] },
    ]);
    expect(fees).toEqual(
      moves.map((move) => ({ at: move.at, balance: { minorUnits: move.balance, scale: 2, asset: 'USD' } })),
    );
    // 9 007 199 254 740 993 is 2^53 + 1: exact. 08:59:59.9999999 is cut to .999999, before the move (the server would round it up onto it).
    expect(btc).toEqual(
      ['2026-11-01T09:00:00.0000004Z', '2026-11-01T09:00:00Z'].map((instant) => ({
        at: instant,
        balance: { minorUnits: 9_007_199_254_740_993n, scale: 8, asset: 'BTC' },
      })),
    );
    expect(points(spent).map((point) => point.balance.minorUnits)).toEqual([2_378_413n, 0n]); // spent everything: a zero point, not a missing one
    const sent = volumesCalls(simulator.requests).map((request) => request.query.endTime?.[0]);
    expect(sent).toContain('2026-11-01T08:59:59.999999Z');
    expect(sent.filter((instant) => instant === '2026-11-01T09:00:00Z')).toHaveLength(1); // `.0000004` is the same microsecond: asked once
  });

  it('answers many accounts with one call per instant, plus pages, and never asks the same instant and address twice', async () => {
    const addresses = simulator.truth
      .accounts('main')
      .map((account) => account.id)
      .slice(0, 100);
    const at = [
      '2025-03-01T00:00:00Z',
      '2025-09-01T00:00:00Z',
      '2026-03-01T00:00:00Z',
      '2026-06-15T12:30:00.250Z',
      '2026-11-20T00:00:00Z',
    ];
    const requests: HistoryRequest[] = [
      ...addresses.map((address, index) => ({
        account: ref('main', address),
        asset: index % 3 === 0 ? 'EUR' : 'USD',
        at,
      })),
      // The same instants again, written another way, and a subset: nothing more to ask.
      {
        account: ref('main', addresses[5] as string),
        asset: 'USD',
        at: ['2025-03-01T01:00:00+01:00', '2026-06-15T12:30:00.25Z'],
      },
      { account: ref('main', addresses[7] as string), asset: 'JPY', at: at.slice(1, 3) },
    ];
    await connector.getLedgers([{ source: SOURCE, ledgerId: 'main' }]); // the token is in hand
    await history(connector, [{ account: ref('main', 'world'), asset: 'USD', at: [] }]); // and the ledger's features
    simulator.resetRequests();
    const results = await history(connector, requests);

    results.forEach((result, index) => {
      const request = requests[index] as HistoryRequest;
      expect(result, request.account.accountId).toEqual(
        expected('main', request.account.accountId, request.asset, request.at),
      );
    });
    expect(results.some((result) => Array.isArray(result) && result.length === at.length)).toBe(true);

    const calls = simulator.requests;
    expect(calls.every((request) => request.path === '/api/ledger/v2/main/volumes' && request.status === 200)).toBe(
      true,
    );
    const first = calls.filter((request) => request.query.endTime);
    expect(first.map((request) => request.query.endTime?.[0])).toEqual([
      '2025-03-01T00:00:00Z',
      '2025-09-01T00:00:00Z',
      '2026-03-01T00:00:00Z',
      '2026-06-15T12:30:00.25Z',
      '2026-11-20T00:00:00Z',
    ]);
    expect(first.map(inFilter)).toEqual(first.map(() => addresses));
    // The rest are next pages: the vendor cursor alone.
    const pages = calls.filter((request) => !request.query.endTime);
    expect(pages.length).toBeGreaterThan(0);
    expect(pages.every((request) => Object.keys(request.query).join() === 'cursor')).toBe(true);
  });

  it('keeps at most HISTORY_CONCURRENCY calls in flight, whatever the number of instants', async () => {
    const proxy = await startDelayingProxy(simulator.url, 15);
    const slow = createFormanceConnector(SOURCE, { url: proxy.url, auth, timeoutMs: 5_000 });
    try {
      const at = Array.from({ length: 30 }, (_, day) =>
        new Date(Date.parse('2025-02-01T00:00:00Z') + day * 86_400_000).toISOString(),
      );
      const results = await history(slow, [
        { account: ref('main', 'platform:fees'), asset: 'USD', at },
        { account: ref('treasury', 'world'), asset: 'BTC', at },
      ]);
      expect(results[0]).toEqual(expected('main', 'platform:fees', 'USD', at));
      expect(results[1]).toEqual(expected('treasury', 'world', 'BTC', at));
      expect(volumesCalls(simulator.requests)).toHaveLength(60);
      expect(proxy.maxInFlight()).toBe(HISTORY_CONCURRENCY);
    } finally {
      await slow.close();
      await proxy.close();
    }
  });

  it('answers UNSUPPORTED_BY_SOURCE for a ledger without MOVES_HISTORY, and only for its requests', async () => {
    const at = ['2025-06-01T00:00:00Z', '2026-11-20T00:00:00Z'];
    const results = await history(connector, [
      { account: ref('sandbox', 'test:alice'), asset: 'COIN', at },
      { account: ref('treasury', 'treasury:fx'), asset: 'USD', at },
      { account: ref('sandbox', 'test:bob'), asset: 'USD', at },
    ]);
    expect(results[0]).toBeInstanceOf(UnsupportedBySourceError);
    expect((results[0] as UnsupportedBySourceError).extensions).toEqual({
      code: 'UNSUPPORTED_BY_SOURCE',
      source: SOURCE,
    });
    expect(results[2]).toBeInstanceOf(UnsupportedBySourceError);
    expect(results[1]).toEqual([
      { at: '2026-11-20T00:00:00Z', balance: { minorUnits: 500_000_000n, scale: 2, asset: 'USD' } },
    ]);
    // The ledger's features said so: no dated read was sent to it.
    expect(ledgerCalls(simulator.requests).filter((call) => call.includes('sandbox'))).toEqual([
      'GET /api/ledger/v2/sandbox',
    ]);
  });

  it('answers each request in its own slot: unknown account, unknown ledger, pattern, bad instant, asset never held', async () => {
    const at = ['2025-01-06T09:00:00Z', '2026-11-20T00:00:00Z'];
    const results = await history(connector, [
      { account: ref('main', 'users:0003'), asset: 'USD', at },
      { account: ref('main', 'nobody:404'), asset: 'USD', at },
      { account: ref('main', 'users:0270'), asset: 'USD', at: at.slice(0, 1) }, // exists, first moved in 2026
      { account: ref('no-such-ledger', 'world'), asset: 'USD', at },
      { account: ref('main', 'users:'), asset: 'USD', at },
      { account: ref('main', 'users:0003'), asset: 'USD', at: ['yesterday'] },
      { account: ref('main', 'users:0001'), asset: 'EUR', at }, // never held: no point (the resolver decides)
      { account: ref('../main', 'world'), asset: 'USD', at },
    ]);
    expect(results[0]).toEqual(expected('main', 'users:0003', 'USD', at));
    expect(points(results[0])).toHaveLength(1);
    expect(results[1]).toBeInstanceOf(NotFoundError);
    expect((results[1] as NotFoundError).extensions).toEqual({ code: 'NOT_FOUND', source: SOURCE });
    expect(results[2]).toEqual([]);
    expect(results[3]).toBeInstanceOf(NotFoundError);
    expect(results[4]).toBeInstanceOf(NotFoundError);
    expect(results[5]).toBeInstanceOf(BadUserInputError);
    expect(results[6]).toEqual([]);
    expect(results[7]).toBeInstanceOf(NotFoundError);

    // One read per instant for the main ledger, then one account read for the addresses that had no row at all.
    expect(ledgerCalls(simulator.requests).sort()).toEqual([
      'GET /api/ledger/v2/main/accounts',
      'GET /api/ledger/v2/main/volumes',
      'GET /api/ledger/v2/main/volumes',
      'GET /api/ledger/v2/no-such-ledger',
    ]);
    expect(inFilter(simulator.requests.find((request) => request.query.endTime?.[0] === at[0]))).toEqual([
      'users:0003',
      'nobody:404',
      'users:0270',
      'users:0001',
    ]);
    expect(inFilter(simulator.requests.find((request) => request.path.endsWith('/accounts')))).toEqual([
      'nobody:404',
      'users:0270',
    ]);
    expect(simulator.truth.ledgers().map((ledger) => ledger.id)).toEqual(['main', 'treasury', 'sandbox']);
  });

  it('tells an account that exists but had not moved yet from one that does not exist', async () => {
    const results = await history(connector, [
      { account: ref('main', 'users:0270'), asset: 'USD', at: ['2025-01-06T09:00:00Z'] },
      { account: ref('main', 'nobody:404'), asset: 'USD', at: ['2025-01-06T09:00:00Z'] },
      { account: ref('main', 'users:0270'), asset: 'USD', at: ['0001-01-01T00:00:00Z'] }, // Go's zero time means "no date": never sent
    ]);
    expect(results[0]).toEqual([]);
    expect(results[1]).toBeInstanceOf(NotFoundError);
    expect(results[2]).toEqual([]);
    expect(volumesCalls(simulator.requests).map((request) => request.query.endTime?.[0])).toEqual([
      '2025-01-06T09:00:00Z',
    ]);
    expect(inFilter(simulator.requests.find((request) => request.path.endsWith('/accounts')))).toEqual([
      'users:0270',
      'nobody:404',
    ]);
  });

  it.skipIf(!specsAvailable)('sends only documented paths and parameters', async () => {
    await history(connector, [
      { account: ref('main', 'users:0003'), asset: 'USD', at: ['2025-06-01T00:00:00Z'] },
      { account: ref('main', 'nobody:404'), asset: 'USD', at: ['2025-06-01T00:00:00Z'] },
      { account: ref('sandbox', 'test:alice'), asset: 'USD', at: ['2025-06-01T00:00:00Z'] },
    ]);
    expect(simulator.requests.length).toBeGreaterThan(1);
    const problems = checkAgainstSpec(simulator.requests, {
      file: 'formance/ledger-v2.4.6-openapi.yaml',
      pathPrefix: '/api/ledger',
      extraParameters: { '/v2/{ledger}/accounts': ['query'], '/v2/{ledger}/volumes': ['query'] },
      ignorePaths: [/^\/api\/auth\//],
    });
    expect(problems).toEqual([]);
  });
});

describe('formance: history against ledger answers the simulator does not give', () => {
  const replies = new Map<string, { status: number; body: string }>();
  const seen: string[] = [];
  let server: Server;
  let connector: Connector;
  const reply = (path: string, body: unknown, status = 200) =>
    replies.set(path, { status, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const page = (data: string) => `{"cursor":{"pageSize":100,"hasMore":false,"data":${data}}}`;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://stub').pathname;
      seen.push(path);
      const found = replies.get(path);
      if (!found) return void response.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found');
      response.writeHead(found.status, { 'content-type': 'application/json' }).end(found.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    connector = createFormanceConnector(SOURCE, {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      timeoutMs: 2_000,
    });
  });
  afterAll(async () => {
    await connector.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('turns a dated read refused for MOVES_HISTORY into UNSUPPORTED_BY_SOURCE, and remembers it', async () => {
    // Features said ON (or predate features), yet the dated read is refused as v2.4.6 refuses it.
    reply('/api/ledger/v2/stale', { data: { name: 'stale', features: { MOVES_HISTORY: 'ON' } } });
    reply(
      '/api/ledger/v2/stale/volumes',
      { errorCode: 'VALIDATION', errorMessage: 'missing feature "MOVES_HISTORY"' },
      400,
    );
    const at = ['2025-01-01T00:00:00Z', '2025-02-01T00:00:00Z'];
    const first = await history(connector, [
      { account: { source: SOURCE, ledgerId: 'stale', accountId: 'a:1' }, asset: 'USD', at },
    ]);
    expect((first[0] as UnsupportedBySourceError).extensions).toEqual({
      code: 'UNSUPPORTED_BY_SOURCE',
      source: SOURCE,
    });
    seen.length = 0;
    const again = await history(connector, [
      { account: { source: SOURCE, ledgerId: 'stale', accountId: 'a:1' }, asset: 'USD', at },
    ]);
    expect(again[0]).toBeInstanceOf(UnsupportedBySourceError);
    expect(seen).toEqual([]);
  });

  it('fails only the requests a bad row concerns; another VALIDATION is a source error', async () => {
    reply('/api/ledger/v2/odd', { data: { name: 'odd' } }); // a ledger older than features has moves history
    reply(
      '/api/ledger/v2/odd/volumes',
      page(
        '[{"account":"a:1","asset":"USD/2","input":18446744073709551617,"output":1,"balance":18446744073709551616},{"account":"a:1","asset":"PTS/40","input":1,"output":0,"balance":1}]',
      ),
    );
    const at = ['2025-01-01T00:00:00Z'];
    const [usd, points] = await history(connector, [
      { account: { source: SOURCE, ledgerId: 'odd', accountId: 'a:1' }, asset: 'USD', at },
      { account: { source: SOURCE, ledgerId: 'odd', accountId: 'a:1' }, asset: 'PTS', at },
    ]);
    expect(usd).toEqual([{ at: at[0], balance: { minorUnits: 18_446_744_073_709_551_616n, scale: 2, asset: 'USD' } }]);
    expect((points as SourceError).code).toBe('SOURCE_BAD_RESPONSE'); // a scale Money cannot hold

    reply('/api/ledger/v2/odd/volumes', { errorCode: 'VALIDATION', errorMessage: 'invalid filter' }, 400);
    const [refused] = await history(connector, [
      { account: { source: SOURCE, ledgerId: 'odd', accountId: 'a:1' }, asset: 'USD', at },
    ]);
    expect((refused as SourceError).code).toBe('SOURCE_BAD_RESPONSE');
  });
});

describe('formance: history through GraphQL (Account.history)', () => {
  it('fills the instants before the first move with zeros and reads the others from the books', async () => {
    const t = await startTestGateway();
    try {
      const simulator = t.demo.simulators.formance as FormanceSimulator;
      const [first] = simulator.history.timeline('main', 'users:0003', 'USD/2');
      const from = new Date(Date.parse(first?.at ?? '') - 3 * 86_400_000).toISOString();
      const to = new Date(Date.parse(from) + 6 * 86_400_000).toISOString();
      await t.resetUpstream();
      const response = await t.query<{
        account: {
          history: { totalCount: number; nodes: Array<{ at: string; balance: { minorUnits: string; scale: number } }> };
        };
      }>(
        `query($id: ID!) { account(id: $id) { history(asset: "USD", from: "${from}", to: "${to}", first: 10) { totalCount nodes { at balance { minorUnits scale } } } } }`,
        { id: encodeGlobalId('Account', ['formance-demo', 'main', 'users:0003']) },
      );
      expect(response.body.errors).toBeUndefined();
      const nodes = response.body.data?.account.history.nodes ?? [];
      expect(nodes).toHaveLength(7);
      expect(nodes.map((node) => node.balance.minorUnits)).toEqual(
        nodes.map((node) => String(simulator.history.balanceAt('main', 'users:0003', 'USD/2', node.at) ?? 0n)),
      );
      expect(nodes.map((node) => node.balance.minorUnits)).toEqual([
        '0',
        '0',
        '0',
        '1815641',
        '1815641',
        '1815641',
        '1815641',
      ]);
      expect(nodes.every((node) => node.balance.scale === 2)).toBe(true);
      expect(volumesCalls(simulator.requests)).toHaveLength(7);

      const sandbox = await t.query(
        `query($id: ID!) { account(id: $id) { history(asset: "COIN", from: "${from}", to: "${to}") { totalCount } } }`,
        {
          id: encodeGlobalId('Account', ['formance-demo', 'sandbox', 'test:alice']),
        },
      );
      expect(sandbox.body.errors?.[0]?.extensions).toEqual({ code: 'UNSUPPORTED_BY_SOURCE', source: 'formance-demo' });
    } finally {
      await t.close();
    }
  });
});

describe('formance simulator: dated /v2/{ledger}/volumes as ledger v2.4.6 answers it', () => {
  let simulator: FormanceSimulator;
  let token = '';
  beforeAll(async () => {
    simulator = await startFormanceSimulator();
    const response = await fetch(`${simulator.url}/api/auth/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'client_credentials',
        client_id: FORMANCE_DEMO_CLIENT_ID,
        client_secret: FORMANCE_DEMO_CLIENT_SECRET,
      }),
    });
    token = ((await response.json()) as { access_token: string }).access_token;
  });
  afterAll(async () => simulator.close());

  const q = (filter: unknown) => encodeURIComponent(JSON.stringify(filter));
  const get = async (path: string) => {
    const response = await fetch(`${simulator.url}/api/ledger/v2${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: response.status, text: await response.text() };
  };
  type Row = { account: string; asset: string; input: number; output: number; balance: number };
  const rows = async (path: string): Promise<Row[]> =>
    (JSON.parse((await get(path)).text) as { cursor: { data: Row[] } }).cursor.data;
  const fx = `query=${q({ $in: { address: ['treasury:fx', 'banks:deutsche:eur'] } })}`;

  it('sums the moves dated at or before endTime, at or after startTime; one row only where a move falls in the window', async () => {
    expect(await rows(`/treasury/volumes?${fx}&endTime=2026-04-25T15:51:24.999999Z`)).toEqual([
      { account: 'banks:deutsche:eur', asset: 'EUR/2', input: 7_300_000_000, output: 0, balance: 7_300_000_000 },
      { account: 'treasury:fx', asset: 'USD/2', input: 500_000_000, output: 0, balance: 500_000_000 },
    ]);
    expect(await rows(`/treasury/volumes?${fx}&endTime=2026-04-25T15:51:25Z`)).toEqual([
      {
        account: 'banks:deutsche:eur',
        asset: 'EUR/2',
        input: 7_300_000_000,
        output: 120_000_000,
        balance: 7_180_000_000,
      },
      { account: 'treasury:fx', asset: 'EUR/2', input: 120_000_000, output: 0, balance: 120_000_000 },
      { account: 'treasury:fx', asset: 'USD/2', input: 500_000_000, output: 0, balance: 500_000_000 },
    ]);
    // startTime alone: the movement since then; with endTime: within the window (both bounds inclusive).
    expect(await rows(`/treasury/volumes?${fx}&startTime=2026-04-25T15:51:25Z`)).toEqual([
      { account: 'banks:deutsche:eur', asset: 'EUR/2', input: 0, output: 120_000_000, balance: -120_000_000 },
      { account: 'treasury:fx', asset: 'EUR/2', input: 120_000_000, output: 0, balance: 120_000_000 },
      { account: 'treasury:fx', asset: 'JPY', input: 98_765_432_109, output: 0, balance: 98_765_432_109 },
      { account: 'treasury:fx', asset: 'USDC_BASE/6', input: 2_500_000_000, output: 0, balance: 2_500_000_000 },
    ]);
    expect(
      (await rows(`/treasury/volumes?${fx}&startTime=2026-01-20T19:17:08Z&endTime=2026-04-25T15:51:25Z`)).map(
        (row) => `${row.account} ${row.asset} ${row.balance}`,
      ),
    ).toEqual(['banks:deutsche:eur EUR/2 7180000000', 'treasury:fx EUR/2 120000000']);
    // `pit`/`oot` are read too; endTime/startTime win; the server rounds to the microsecond.
    expect(await rows(`/treasury/volumes?${fx}&pit=2026-04-25T15:51:25Z`)).toEqual(
      await rows(`/treasury/volumes?${fx}&endTime=2026-04-25T15:51:24.9999995Z`),
    );
    expect(
      await rows(`/treasury/volumes?${fx}&pit=2020-01-01T00:00:00Z&endTime=2026-04-25T17:51:25%2B02:00`),
    ).toHaveLength(3);
  });

  it('writes big amounts exactly, filters balances as of endTime, and keeps the date in the cursor', async () => {
    const world = await get(
      `/treasury/volumes?query=${q({ $in: { address: ['world'] } })}&endTime=2025-07-15T02:08:34Z`,
    );
    expect(world.text).toContain(
      '{"account":"world","asset":"BTC/8","input":0,"output":123456789012345678901,"balance":-123456789012345678901}',
    );
    expect(world.text).toContain('"balance":-18014398509481985}');
    const rich = await rows(
      `/treasury/volumes?query=${q({ $gte: { balance: 1_000_000_000 } })}&endTime=2025-07-15T02:08:34Z`,
    );
    expect(rich.map((row) => `${row.account} ${row.asset}`)).toEqual([
      'banks:chase:usd USD/2',
      'treasury:cold:btc BTC/8',
      'treasury:hot:btc BTC/8',
    ]);

    const first = JSON.parse((await get('/main/volumes?pageSize=5&endTime=2025-03-01T00:00:00Z')).text) as {
      cursor: { next: string; data: Row[] };
    };
    const next = JSON.parse((await get(`/main/volumes?cursor=${first.cursor.next}`)).text) as {
      cursor: { data: Row[] };
    };
    const all = await rows('/main/volumes?pageSize=100&endTime=2025-03-01T00:00:00Z');
    expect([...first.cursor.data, ...next.cursor.data]).toEqual(all.slice(0, 10));
    expect(
      all.every(
        (row) =>
          BigInt(row.balance) === simulator.history.balanceAt('main', row.account, row.asset, '2025-03-01T00:00:00Z'),
      ),
    ).toBe(true);
  });

  it('refuses a date on a ledger without MOVES_HISTORY, and a date Go cannot parse; the zero time is no date', async () => {
    expect(await get('/sandbox/volumes?endTime=2025-06-01T00:00:00Z')).toEqual({
      status: 400,
      text: '{"errorCode":"VALIDATION","errorMessage":"missing feature \\"MOVES_HISTORY\\""}',
    });
    expect((await get('/sandbox/volumes?startTime=2025-06-01T00:00:00Z')).status).toBe(400);
    expect((await rows('/sandbox/volumes?endTime=0001-01-01T00:00:00Z')).length).toBe(6); // UsePIT() is false for Go's zero time
    for (const bad of [
      '2025-06-01',
      '2025-02-30T00:00:00Z',
      '2025-06-01T24:00:00Z',
      '2025-06-01t00:00:00z',
      'yesterday',
    ]) {
      const response = await get(`/treasury/volumes?endTime=${bad}`);
      expect(response.status, bad).toBe(400);
      expect(JSON.parse(response.text).errorCode).toBe('VALIDATION');
    }
    expect(
      (await get(`/main/volumes?endTime=2025-06-01T00:00:00Z&query=${q({ $match: { 'metadata[kyc]': 'verified' } })}`))
        .status,
    ).toBe(400); // no metadata history here
  });
});

/** A proxy in front of the simulator that holds each ledger call `delayMs` and records how many were in flight at once. */
async function startDelayingProxy(
  target: string,
  delayMs: number,
): Promise<{ url: string; maxInFlight(): number; close(): Promise<void> }> {
  let inFlight = 0;
  let most = 0;
  const body = async (request: IncomingMessage) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    return chunks.length > 0 ? Buffer.concat(chunks) : undefined;
  };
  const server = createServer((request, response) => {
    const ledger = (request.url ?? '').startsWith('/api/ledger/');
    if (ledger) most = Math.max(most, ++inFlight);
    void (async () => {
      try {
        const payload = await body(request);
        if (ledger) await new Promise((resolve) => setTimeout(resolve, delayMs));
        const headers: Record<string, string> = {};
        for (const name of ['authorization', 'content-type', 'accept'])
          if (typeof request.headers[name] === 'string') headers[name] = request.headers[name];
        const upstream = await fetch(`${target}${request.url ?? '/'}`, {
          method: request.method,
          headers,
          ...(payload ? { body: payload } : {}),
        });
        const text = await upstream.text();
        response
          .writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' })
          .end(text);
      } catch {
        response.destroy();
      } finally {
        if (ledger) inFlight -= 1;
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    maxInFlight: () => most,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
