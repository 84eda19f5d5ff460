import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBlnkSimulator, type BlnkSimulatorHandle } from '../../src/simulators/blnk/index.ts';

/** The simulator answers as Blnk v0.15.2 does (api/*.go, database/*.go, internal/filter/parser.go). */
describe('blnk simulator: server behaviour', () => {
  const KEY = 'sim-master-key';
  let simulator: BlnkSimulatorHandle;
  beforeAll(async () => {
    simulator = await startBlnkSimulator({ apiKey: KEY });
  });
  afterAll(() => simulator.close());

  const call = async (path: string, init: RequestInit = {}, key: string | null = KEY) => {
    const response = await fetch(`${simulator.url}${path}`, {
      ...init,
      headers: key === null ? {} : { 'X-Blnk-Key': key },
    });
    const text = await response.text();
    return { status: response.status, text, json: (): unknown => JSON.parse(text) };
  };
  const wallets = () => simulator.data.ledgers.find((ledger) => ledger.name === 'Customer Wallets')?.ledgerId ?? '';

  it('seeds realistic data: uuid v4 ids, distinct created_at, > 250 balances in one ledger, an identity with USD, EUR and BTC', () => {
    const uuid = /^(bln|ldg)_[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(
      [
        ...simulator.data.ledgers.map((ledger) => ledger.ledgerId),
        ...simulator.data.balances.map((balance) => balance.balanceId),
      ].every((id) => uuid.test(id)),
    ).toBe(true);
    expect(new Set(simulator.data.balances.map((balance) => balance.createdAtMicros)).size).toBe(
      simulator.data.balances.length,
    );
    expect(simulator.truth.accounts(wallets()).length).toBeGreaterThan(250);
    const currenciesOf = (identityId: string) =>
      new Set(
        simulator.data.balances
          .filter((balance) => balance.identityId === identityId)
          .map((balance) => balance.currency),
      );
    expect(
      simulator.data.balances.some(
        (balance) =>
          balance.identityId !== '' &&
          ['BTC', 'EUR', 'USD'].every((currency) => currenciesOf(balance.identityId).has(currency)),
      ),
    ).toBe(true);
  });

  it('requires X-Blnk-Key in secure mode, with the 401 envelopes', async () => {
    expect((await call('/ledgers', {}, null)).json()).toEqual({
      error: 'Authentication required. Use X-Blnk-Key header',
      error_detail: { code: 'AUTH_MISSING_API_KEY', message: 'Authentication required. Use X-Blnk-Key header' },
    });
    const invalid = await call('/ledgers', {}, 'nope');
    expect(invalid.status).toBe(401);
    expect(invalid.json()).toMatchObject({ error_detail: { code: 'AUTH_INVALID_API_KEY' } });
  });

  it('pages GET /ledgers and GET /balances with limit (default 10, > 0) and offset, newest first', async () => {
    expect((await call('/ledgers')).json()).toHaveLength(4);
    expect((await call('/ledgers?limit=0')).json()).toMatchObject({
      error: 'Invalid limit value',
      error_detail: { code: 'GEN_VALIDATION_ERROR' },
    });
    const page = (await call('/balances')).json() as Array<{ created_at: string }>;
    expect(page).toHaveLength(10);
    expect(page.map((balance) => balance.created_at)).toEqual(
      [...page.map((balance) => balance.created_at)].sort().reverse(),
    );
    expect((await call('/balances?limit=0')).status).toBe(400);
    expect((await call('/balances?offset=-1')).json()).toMatchObject({ error: 'invalid offset value' });
    expect((await call('/balances?limit=5000')).json()).toHaveLength(simulator.data.balances.length); // no cap without filters
  });

  it('writes amounts as bare integers and an empty filtered page as null', async () => {
    const cold = simulator.data.balances.find((balance) => balance.indicator === '@ColdStorage');
    expect((await call(`/balances?balance_id_eq=${cold?.balanceId}`)).text).toMatch(
      /^\[\{"balance":123456789012345678901,/,
    );
    expect((await call('/balances?currency_eq=XAU')).text).toBe('null');
  });

  it('limits filters like internal/filter/parser.go: 100 values, 1000 characters, 20 filters, known fields', async () => {
    const ids = simulator.data.balances.map((balance) => balance.balanceId);
    const tooMany = await call(
      `/balances?balance_id_in=${Array.from({ length: 101 }, (_, index) => `b${index}`).join(',')}`,
    );
    expect(tooMany.json()).toEqual({
      errors: [{ Param: 'balance_id_in', Message: 'IN operator exceeds maximum values (100)' }],
      error_detail: {
        code: 'GEN_VALIDATION_ERROR',
        message: 'invalid filter parameters',
        details: [{ Param: 'balance_id_in', Message: 'IN operator exceeds maximum values (100)' }],
      },
    });
    const tooLong = await call(`/balances?balance_id_in=${ids.slice(0, 25).join(',')}&limit=100`);
    expect(tooLong.status).toBe(400);
    expect(tooLong.json()).toMatchObject({ errors: [{ Message: 'value exceeds maximum length (1000 chars)' }] });
    expect((await call(`/balances?balance_id_in=${ids.slice(0, 24).join(',')}&limit=100`)).json()).toHaveLength(24);
    expect((await call(`/balances?balance_id_in=${ids.slice(0, 24).join(',')}`)).json()).toHaveLength(10); // limit still defaults to 10
    const filters = Array.from({ length: 21 }, (_, index) => `meta_data.k${index}_eq=x`).join('&');
    expect((await call(`/balances?${filters}`)).json()).toMatchObject({
      errors: [{ Message: 'exceeded maximum number of filters (20)' }],
    });
    expect((await call('/balances?colour_eq=red')).json()).toMatchObject({
      error: "Invalid filter: invalid field 'colour' for table 'balances'",
      error_detail: { code: 'GEN_BAD_REQUEST' },
    });
  });

  it('POST /balances/filter turns a limit above 100 into 20 and can include the count', async () => {
    const body = (limit: number, extra: object = {}) => ({
      method: 'POST',
      body: JSON.stringify({ filters: [{ field: 'ledger_id', operator: 'eq', value: wallets() }], limit, ...extra }),
    });
    expect((await call('/balances/filter', body(500))).json()).toHaveLength(20);
    expect((await call('/balances/filter', body(100))).json()).toHaveLength(100);
    expect((await call('/balances/filter', body(5, { include_count: true }))).json()).toMatchObject({
      data: { length: 5 },
      total_count: 300,
    });
  });

  it('answers GET /balances/{id}/at with the shape, errors and timestamp echo of api/balance.go', async () => {
    const balance = simulator.data.balances.find((item) => item.movements.length > 1);
    const at = await call(`/balances/${balance?.balanceId}/at?timestamp=2030-01-01T10:00:00.123456%2B02:00`);
    expect(Object.keys(at.json() as object)).toEqual(['balance', 'from_source', 'timestamp']);
    expect(at.json()).toMatchObject({
      from_source: false,
      timestamp: '2030-01-01T10:00:00+02:00',
      balance: { balance_id: balance?.balanceId, currency: balance?.currency },
    });
    expect((await call(`/balances/${balance?.balanceId}/at?timestamp=2024-02-30T00:00:00Z`)).json()).toMatchObject({
      error_detail: { code: 'BAL_INVALID_TIMESTAMP' },
    });
    expect((await call('/balances/bln_missing/at?timestamp=2024-01-01T00:00:00Z')).json()).toMatchObject({
      error: "Balance 'bln_missing' not found",
      error_detail: { code: 'BAL_NOT_FOUND' },
    });
    expect(await call('/nowhere')).toMatchObject({ status: 404, text: '404 page not found' });
  });
});
