import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createMidazConnector, type MidazOptions } from '../../src/providers/midaz/index.ts';
import { MIDAZ_MAX_LIMIT } from '../../src/providers/midaz/paging.ts';
import type { AccountModel, AccountRef, BalanceModel, Connector, LedgerRef } from '../../src/providers/types.ts';
import { planPageReads } from '../../src/relay/page-plan.ts';
import type { CursorPage, VendorList } from '../../src/relay/sequence.ts';
import {
  MIDAZ_ASSET_SCALES,
  MIDAZ_DEMO_ORGANIZATION_ID,
  startMidazSimulator,
  type MidazSimulatorHandle,
} from '../../src/simulators/midaz/index.ts';
import { describeConnectorContract, walk } from './contract.ts';
import { checkAgainstSpec, specsAvailable } from './openapi.ts';

const TOKEN = 'midaz-test-token';
const SOURCE = 'midaz-test';
const options = (url: string, extra: Partial<MidazOptions> = {}): MidazOptions => ({
  url,
  organizationId: MIDAZ_DEMO_ORGANIZATION_ID,
  auth: { token: TOKEN },
  assetScales: { ...MIDAZ_ASSET_SCALES },
  timeoutMs: 5_000,
  ...extra,
});

describeConnectorContract('midaz', async () => {
  const simulator = await startMidazSimulator({ token: TOKEN });
  return { connector: createMidazConnector(SOURCE, options(simulator.url)), simulator };
});

describe('midaz: connector quirks', () => {
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
  const pages = (list: VendorList<BalanceModel>) => list as Extract<VendorList<BalanceModel>, { paging: 'cursor' }>;

  beforeAll(async () => {
    simulator = await startMidazSimulator({ token: TOKEN });
    connector = connect();
  });
  afterAll(async () => {
    await Promise.all(extra.map((item) => item.close()));
    await simulator.close();
  });
  beforeEach(() => simulator.resetRequests());

  // Regression: the lib-commons backward-paging trap — the page where prev_cursor reaches the start of the list is reversed, has no next_cursor, and its prev_cursor loops.
  it('handles the backward-paging trap: the head page reached through prev_cursor is put in order and ends the walk', async () => {
    const retail = ledgerNamed('Retail Banking');
    const list = pages(connector.listBalances(retail, {}));
    const first = await list.fetchPage(null);
    const second = await list.fetchPage(first.next);
    // Raw server behaviour first: following page 2's prev_cursor gives page 1 reversed, with no next_cursor and a prev_cursor.
    const rawPrevious = simulator.requests.at(-1)?.query;
    expect(rawPrevious?.cursor).toHaveLength(1);
    const raw = await fetch(
      `${simulator.url}${balancesPath(retail)}?limit=100&sort_order=asc&cursor=${encodeURIComponent(second.previous?.slice(2) ?? '')}`,
      { headers: { authorization: `Bearer ${TOKEN}` } },
    );
    const rawPage = (await raw.json()) as { items: Array<{ id: string }>; next_cursor?: string; prev_cursor?: string };
    expect(rawPage.next_cursor).toBeUndefined();
    expect(rawPage.prev_cursor).toBeDefined();
    const companions = new Set(
      simulator.data.balances.filter((balance) => balance.key === 'overdraft').map((balance) => balance.id),
    );
    expect(rawPage.items.map((item) => item.id).filter((id) => !companions.has(id))).toEqual(
      first.items.map((item) => item.balanceId).reverse(),
    );

    const head: CursorPage<BalanceModel> = await list.fetchPage(second.previous);
    expect(head.items.map((item) => item.balanceId)).toEqual(first.items.map((item) => item.balanceId));
    expect(head.previous).toBeNull(); // the start: never the looping prev_cursor
    // Forward again from the head page: exactly the second page, through a server-issued next cursor.
    const after = await list.fetchPage(head.next);
    expect(after.items.map((item) => item.balanceId)).toEqual(second.items.map((item) => item.balanceId));
  });

  it('walks balances backward from the end with no duplicate and nothing missing, in every page size', async () => {
    const retail = ledgerNamed('Retail Banking');
    const expected = simulator.truth.balances(retail.ledgerId).map((balance) => balance.balanceId);
    for (const size of [1, 7, 20, 99, 100]) {
      const backward = await walk(connector.listBalances(retail, {}), 'backward', () => size);
      expect(backward.map((balance) => balance.balanceId)).toEqual(expected);
    }
  });

  it('sends limit=100 and sort_order=asc again with every cursor, and never a limit the server refuses (0080)', async () => {
    const retail = ledgerNamed('Retail Banking');
    await walk(connector.listBalances(retail, {}), 'forward', () => 37);
    await walk(connector.listBalances(retail, {}), 'backward', () => 41);
    await walk(connector.listAccounts(retail, {}), 'backward', () => 33);
    const balanceCalls = simulator.requests.filter((request) => request.path === balancesPath(retail));
    expect(balanceCalls.length).toBeGreaterThan(5);
    expect(balanceCalls.filter((request) => request.query.cursor).length).toBeGreaterThan(3);
    for (const request of balanceCalls) {
      expect(request.query.sort_order).toEqual(['asc']);
      expect(Number(request.query.limit?.[0])).toBeGreaterThan(0);
      // The first page of a size is only read for the head; every other page asks for 100.
      if (request.query.cursor) expect(request.query.limit).toEqual(['100']);
    }
    for (const request of simulator.requests) {
      expect(Number(request.query.limit?.[0] ?? 1)).toBeLessThanOrEqual(100);
      expect(request.status).toBe(200);
    }
  });

  it('turns offset ranges into page/limit reads of at most 100', async () => {
    expect(planPageReads(0, 20, MIDAZ_MAX_LIMIT)).toEqual({ size: 20, first: 1, last: 1 });
    expect(planPageReads(37, 20, MIDAZ_MAX_LIMIT)).toEqual({ size: 29, first: 2, last: 2 }); // items 29..57 hold 37..56
    expect(planPageReads(250, 20, MIDAZ_MAX_LIMIT)).toEqual({ size: 25, first: 11, last: 11 });
    expect(planPageReads(199, 2, MIDAZ_MAX_LIMIT)).toEqual({ size: 3, first: 67, last: 67 });
    expect(planPageReads(150, 100, MIDAZ_MAX_LIMIT)).toEqual({ size: 100, first: 2, last: 3 });
    const retail = ledgerNamed('Retail Banking');
    const list = connector.listAccounts(retail, {}) as Extract<VendorList<AccountModel>, { paging: 'offset' }>;
    const range = await list.fetchRange(37, 20);
    expect(range.map((account) => account.accountId)).toEqual(
      simulator.truth
        .accounts(retail.ledgerId)
        .slice(37, 57)
        .map((account) => account.id),
    );
    expect(simulator.requests.map((request) => request.query)).toEqual([{ limit: ['29'], page: ['2'] }]);
  });

  it('sends the Bearer token on every call, and none without one', async () => {
    await connector.getAccountBalances([accountAliased('@maria_oliveira')]);
    await connector.getLedgers([ledgerNamed('Sandbox')]);
    expect(simulator.requests.length).toBeGreaterThan(1);
    expect(simulator.requests.every((request) => request.headers.authorization === `Bearer ${TOKEN}`)).toBe(true);

    const open = await startMidazSimulator();
    const anonymous = createMidazConnector(SOURCE, options(open.url, { auth: null }));
    await anonymous.getLedgers([ledgerNamed('Sandbox')]);
    expect(open.requests[0]?.headers.authorization).toBeUndefined();
    await anonymous.close();
    await open.close();

    const [refused] = await connect({ auth: { token: 'wrong' } }).getLedgers([ledgerNamed('Sandbox')]);
    expect(refused).toMatchObject({ code: 'SOURCE_AUTH_FAILED', sourceName: SOURCE });
  });

  it('fans account lookups out at most 8 at a time and asks each account once', async () => {
    const slow = await startMidazSimulator({ token: TOKEN, latencyMs: 20 });
    const slowConnector = createMidazConnector(SOURCE, options(slow.url));
    const retail = ledgerNamed('Retail Banking');
    const refs = simulator.truth
      .accounts(retail.ledgerId)
      .slice(10, 50)
      .map((account) => ({ ...retail, accountId: account.id }));
    const keys = [
      ...refs,
      ...refs.slice(0, 15),
      ...refs.slice(0, 5).map((ref) => ({ ...ref, accountId: ref.accountId.toUpperCase() })),
    ];
    const results = await slowConnector.getAccountBalances(keys);
    expect(results).toHaveLength(keys.length);
    expect(slow.requests).toHaveLength(40); // 40 distinct accounts, each one page
    expect(new Set(slow.requests.map((request) => request.path)).size).toBe(40);
    expect(slow.peakInFlight).toBe(8);
    for (const [index, key] of keys.entries())
      expect(results[index]).toEqual(
        results[refs.findIndex((ref) => ref.accountId.toLowerCase() === key.accountId.toLowerCase())],
      );
    slow.resetRequests();
    await slowConnector.getAccounts(keys);
    expect(slow.requests).toHaveLength(40);
    expect(slow.peakInFlight).toBe(8);
    await slowConnector.close();
    await slow.close();
  });

  it.skipIf(!specsAvailable)('sends only requests the v3.8.0 OpenAPI file documents', async () => {
    const retail = ledgerNamed('Retail Banking');
    const joao = accountAliased('@joao_pereira');
    await walk(connector.listLedgers(), 'forward', () => 2);
    await walk(connector.listAccounts(retail, {}), 'backward', () => 50);
    await walk(connector.listBalances(retail, {}), 'backward', () => 50);
    await connector.getLedgers([retail]);
    await connector.getAccounts([joao]);
    await connector.getAccountBalances([joao, { ...retail, accountId: '01950000-0000-7000-8000-000000000000' }]);
    await walk(connector.listAccounts(retail, { address: '@joao_pereira' }), 'forward', () => 5);
    await walk(connector.listBalances(retail, { address: '@external/BRL' }), 'forward', () => 5);
    await connector.getHistory?.([{ account: joao, asset: 'BRL', at: ['2025-06-01T00:00:00Z'] }]);
    const kinds = new Set(
      simulator.requests.map((request) =>
        request.path.replace(/[0-9a-f-]{36}/g, '{id}').replace(/@[a-z_]+/, '{alias}'),
      ),
    );
    expect(kinds.size).toBeGreaterThanOrEqual(9);
    expect(checkAgainstSpec(simulator.requests, { file: 'midaz/midaz-v3.8.0-ledger-openapi.yaml' })).toEqual([]);
  });
});
