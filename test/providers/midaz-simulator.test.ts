import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MIDAZ_DEMO_ORGANIZATION_ID,
  MIDAZ_OTHER_ORGANIZATION_ID,
  startMidazSimulator,
  type MidazSimulatorHandle,
} from '../../src/simulators/midaz/index.ts';

/** The simulator answers as Midaz v3.8.0 does (components/ledger/internal/adapters/http/in, pkg/net/http, lib-commons v5.10.0). */
describe('midaz simulator: server behaviour', () => {
  const TOKEN = 'sim-token';
  const ORG = `/v1/organizations/${MIDAZ_DEMO_ORGANIZATION_ID}`;
  let simulator: MidazSimulatorHandle;
  beforeAll(async () => {
    simulator = await startMidazSimulator({ token: TOKEN });
  });
  afterAll(() => simulator.close());

  const call = async (path: string, token: string | null = TOKEN) => {
    const response = await fetch(`${simulator.url}${path}`, {
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
    });
    const text = await response.text();
    return { status: response.status, text, json: (): any => JSON.parse(text) };
  };
  const ledgerId = (name: string) => simulator.data.ledgers.find((ledger) => ledger.name === name)?.id ?? '';
  const retail = () => `${ORG}/ledgers/${ledgerId('Retail Banking')}`;

  it('seeds UUIDv7 ids in creation order, > 250 accounts in one ledger, several keys per account, amounts above 2^53 and an overdraft', () => {
    const v7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(
      [...simulator.data.ledgers, ...simulator.data.accounts, ...simulator.data.balances].every((item) =>
        v7.test(item.id),
      ),
    ).toBe(true);
    const accounts = simulator.truth.accounts(ledgerId('Retail Banking'));
    expect(accounts.length).toBeGreaterThan(250);
    expect(accounts.map((account) => account.id)).toEqual([...accounts.map((account) => account.id)].sort());
    const keys = new Map<string, Set<string>>();
    for (const balance of simulator.data.balances)
      keys.set(balance.accountId, (keys.get(balance.accountId) ?? new Set()).add(balance.key));
    expect([...keys.values()].filter((set) => set.size > 1).length).toBeGreaterThan(50);
    expect(new Set(simulator.data.accounts.map((account) => account.assetCode))).toEqual(
      new Set(['BRL', 'USD', 'BTC', 'EUR']),
    );
    const totals = simulator.truth
      .ledgers()
      .flatMap((ledger) => simulator.truth.balances(ledger.id))
      .map((balance) => BigInt(balance.total));
    expect(totals.some((total) => total > 2n ** 53n)).toBe(true);
    expect(simulator.data.balances.some((balance) => balance.overdraftUsed > 0n)).toBe(true);
  });

  it('requires a Bearer token when one is set, with 401 and the v3 error body', async () => {
    expect(await call(`${ORG}/ledgers`, null)).toMatchObject({ status: 401 });
    expect((await call(`${ORG}/ledgers`, null)).json()).toEqual({
      code: '0041',
      message: expect.any(String),
      title: 'Token Missing',
    });
    expect((await call(`${ORG}/ledgers`, 'nope')).json()).toMatchObject({ code: '0042', title: 'Invalid Token' });
  });

  it('pages ledgers and accounts with page/limit, `"items": null` on an empty page, and no organization check', async () => {
    const ledgers = (await call(`${ORG}/ledgers?limit=2`)).json();
    expect(ledgers).toMatchObject({ limit: 2, page: 1 });
    expect(ledgers.items.map((ledger: { name: string }) => ledger.name)).toEqual([
      'Retail Banking',
      'Treasury & Crypto',
    ]);
    expect((await call(`${ORG}/ledgers?limit=2&page=3`)).text).toBe('{"items":null,"limit":2,"page":3}');
    expect((await call(`/v1/organizations/${MIDAZ_OTHER_ORGANIZATION_ID}/ledgers`)).json().items).toHaveLength(1);
    expect((await call('/v1/organizations/01950000-0000-7000-8000-000000000000/ledgers')).text).toBe(
      '{"items":null,"limit":10,"page":1}',
    );
    // `alias` is a case-insensitive prefix filter, which is why the connector reads an exact alias through /accounts/alias/{alias}.
    const prefixed = (await call(`${retail()}/accounts?alias=@JOAO_P&limit=100`))
      .json()
      .items.map((account: { alias: string }) => account.alias);
    expect(prefixed[0]).toBe('@joao_pereira');
    expect(prefixed.length).toBeGreaterThan(1);
    expect(prefixed.every((alias: string) => alias.startsWith('@joao_pereira'))).toBe(true);
  });

  it('validates limit, page, sort_order and cursor as pkg/net/http/httputils.go does', async () => {
    expect((await call(`${retail()}/balances?limit=101`)).json()).toEqual({
      title: 'Pagination Limit Exceeded',
      message: expect.stringContaining('maximum allowed of 100'),
      code: '0080',
    });
    expect((await call(`${retail()}/balances?limit=0`)).json()).toMatchObject({
      code: '0082',
      message: expect.stringContaining("'limit'"),
    });
    expect((await call(`${retail()}/accounts?page=0`)).json()).toMatchObject({ code: '0082' });
    expect((await call(`${retail()}/balances?sort_order=up`)).json()).toMatchObject({ code: '0081' });
    expect((await call(`${retail()}/balances?cursor=not-a-cursor`)).json()).toMatchObject({
      code: '0082',
      message: expect.stringContaining("'cursor'"),
    });
    expect((await call(`${retail()}/balances?start_date=2025-01-01`)).json()).toMatchObject({ code: '0083' });
    expect((await call(`${ORG}/ledgers/ledger-1/balances`)).json()).toMatchObject({
      code: '0065',
      title: 'Invalid Path Parameter',
    });
    expect((await call(`${ORG}/ledgers/01950000-0000-7000-8000-000000000000`)).json()).toEqual({
      code: '0007',
      message: expect.any(String),
      title: 'Entity Not Found',
    });
    expect(await call(`${ORG}/nowhere`)).toMatchObject({ status: 404, text: `Cannot GET ${ORG}/nowhere` });
  });

  it('pages balances by keyset cursor, 10 by default, reproducing the lib-commons backward-paging trap', async () => {
    expect((await call(`${retail()}/balances`)).json().items).toHaveLength(10);
    const first = (await call(`${retail()}/balances?limit=5`)).json();
    expect(first.prev_cursor).toBeUndefined();
    expect(JSON.parse(Buffer.from(first.next_cursor, 'base64').toString())).toEqual({
      id: first.items[4].id,
      direction: 'next',
    });
    const second = (await call(`${retail()}/balances?limit=5&cursor=${encodeURIComponent(first.next_cursor)}`)).json();
    const third = (await call(`${retail()}/balances?limit=5&cursor=${encodeURIComponent(second.next_cursor)}`)).json();
    // A full page through prev_cursor comes back in order, with both cursors.
    const back = (await call(`${retail()}/balances?limit=5&cursor=${encodeURIComponent(third.prev_cursor)}`)).json();
    expect(back.items.map((item: { id: string }) => item.id)).toEqual(
      second.items.map((item: { id: string }) => item.id),
    );
    expect(back.next_cursor).toBeDefined();
    // The page that reaches the start: reversed, no next_cursor, and a prev_cursor into the same rows.
    const start = (await call(`${retail()}/balances?limit=5&cursor=${encodeURIComponent(back.prev_cursor)}`)).json();
    expect(start.items.map((item: { id: string }) => item.id)).toEqual(
      first.items.map((item: { id: string }) => item.id).reverse(),
    );
    expect(start.next_cursor).toBeUndefined();
    const loop = (await call(`${retail()}/balances?limit=5&cursor=${encodeURIComponent(start.prev_cursor)}`)).json();
    expect(loop.items.map((item: { id: string }) => item.id)).toEqual(
      first.items
        .slice(0, 4)
        .map((item: { id: string }) => item.id)
        .reverse(),
    );
    // Pre-v3 cursors {"id", "points_next"} are still accepted.
    const legacy = Buffer.from(JSON.stringify({ id: first.items[4].id, points_next: true }))
      .toString('base64')
      .replace(/=+$/, '');
    expect((await call(`${retail()}/balances?limit=5&cursor=${legacy}`)).json().items).toEqual(second.items);
  });

  it('writes amounts as decimal strings without trailing zeros, the position block, and overdraft state', async () => {
    const joao = simulator.data.balances.find(
      (balance) => balance.alias === '@joao_pereira' && balance.key === 'default',
    );
    const balance = (await call(`${retail()}/balances/${joao?.id}`)).json();
    expect(balance).toMatchObject({
      available: '0',
      onHold: '0',
      overdraftUsed: '1250.75',
      direction: 'credit',
      position: { available: '-1250.75', onHold: '0', overdraftLimitAvailable: '749.25' },
    });
    expect(balance.settings).toEqual({ allowOverdraft: true, overdraftLimitEnabled: true, overdraftLimit: '2000.00' });
    const alias = (await call(`${retail()}/accounts/alias/@joao_pereira/balances`)).json();
    expect(alias).toMatchObject({ limit: 10 });
    expect(alias.items.map((item: { key: string; available: string }) => `${item.key}=${item.available}`)).toEqual([
      'default=0',
      'overdraft=1250.75',
    ]);
    const cold = (
      await call(`${ORG}/ledgers/${ledgerId('Treasury & Crypto')}/accounts/alias/@btc_cold_storage/balances`)
    ).text;
    expect(cold).toContain('"available":"123456789012.34567891"');
    expect(
      (await call(`${ORG}/ledgers/${ledgerId('Treasury & Crypto')}/accounts/external/BTC/balances`)).text,
    ).toContain('"available":"-123456789014.84555546"');
  });

  it('answers the history endpoints with the handler errors of balance.go', async () => {
    const maria = simulator.data.accounts.find((account) => account.alias === '@maria_oliveira');
    const path = `${retail()}/accounts/${maria?.id}/balances/history`;
    expect((await call(path)).json()).toMatchObject({ code: '0142' });
    expect((await call(`${path}?date=2025-06-01`)).json()).toMatchObject({ code: '0131' });
    expect((await call(`${path}?date=2999-01-01+00:00:00`)).json()).toMatchObject({
      code: '0140',
      title: 'Invalid Timestamp',
    });
    expect(await call(`${path}?date=2020-01-01+00:00:00`)).toMatchObject({ status: 404 });
    expect((await call(`${path}?date=2020-01-01+00:00:00`)).json()).toMatchObject({ code: '0141' });
    const rows = (await call(`${path}?date=2025-06-01T00:00:00Z`)).json();
    expect(rows).toEqual([
      expect.objectContaining({
        accountId: maria?.id,
        key: 'default',
        available: '1000',
        onHold: '0',
        overdraftUsed: '0',
      }),
    ]);
    expect(rows[0]).not.toHaveProperty('allowSending');
    expect((await call(`${path}?date=2025-06-01+00:00:00.5`)).status).toBe(200); // Go takes a fraction after the seconds
  });
});
