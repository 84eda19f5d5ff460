import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  FORMANCE_DEMO_CLIENT_ID,
  FORMANCE_DEMO_CLIENT_SECRET,
  startFormanceSimulator,
  type FormanceSimulator,
} from '../../src/simulators/formance/index.ts';

/**
 * The simulator against what ledger v2.4.6 and go-libs v4.0.0 really do (vendor-specs/NOTES.md §1,
 * "checked in the v2.4.6 server code"): if it drifted, every connector test would prove nothing.
 */

interface Cursor {
  pageSize: number;
  hasMore: boolean;
  next?: string;
  previous?: string;
  data: Array<Record<string, unknown>>;
}

describe('formance simulator', () => {
  let simulator: FormanceSimulator;
  let token: string;

  const get = async (path: string, headers: Record<string, string> = {}) => {
    const response = await fetch(`${simulator.url}${path}`, {
      headers: { authorization: `Bearer ${token}`, ...headers },
    });
    return { status: response.status, text: await response.text() };
  };
  const json = async (path: string, headers: Record<string, string> = {}) => {
    const { status, text } = await get(path, headers);
    return {
      status,
      body: JSON.parse(text) as { cursor: Cursor; data: unknown; errorCode?: string; errorMessage?: string },
    };
  };
  const addresses = (cursor: Cursor) => cursor.data.map((item) => String(item.address ?? Object.keys(item)[0]));
  const q = (filter: unknown) => encodeURIComponent(JSON.stringify(filter));
  const requestToken = (body: string, headers: Record<string, string> = {}) =>
    fetch(`${simulator.url}/api/auth/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body,
    });

  beforeAll(async () => {
    simulator = await startFormanceSimulator({ tokenTtlSeconds: 60 });
    const response = await requestToken(
      `grant_type=client_credentials&client_id=${FORMANCE_DEMO_CLIENT_ID}&client_secret=${FORMANCE_DEMO_CLIENT_SECRET}`,
    );
    token = ((await response.json()) as { access_token: string }).access_token;
  });
  afterAll(() => simulator.close());

  it('issues tokens for client_secret_post and HTTP Basic, and refuses anything else the OAuth2 way', async () => {
    const basic = await requestToken('grant_type=client_credentials', {
      authorization: `Basic ${Buffer.from(`${FORMANCE_DEMO_CLIENT_ID}:${FORMANCE_DEMO_CLIENT_SECRET}`).toString('base64')}`,
    });
    expect(await basic.json()).toMatchObject({ token_type: 'Bearer', expires_in: 60 });
    const wrong = await requestToken(
      `grant_type=client_credentials&client_id=${FORMANCE_DEMO_CLIENT_ID}&client_secret=nope`,
    );
    expect([wrong.status, await wrong.json()]).toEqual([
      401,
      { error: 'invalid_client', error_description: 'client authentication failed' },
    ]);
    const grant = await requestToken('grant_type=password');
    expect([grant.status, await grant.json()]).toEqual([400, { error: 'unsupported_grant_type' }]);
  });

  it('answers /_info without a token and a bare 401 everywhere else', async () => {
    const info = await fetch(`${simulator.url}/api/ledger/_info`);
    expect(await info.json()).toMatchObject({
      data: { server: 'ledger', config: { storage: { driver: 'postgres', ledgers: ['main', 'treasury', 'sandbox'] } } },
    });
    for (const headers of [{ authorization: '' }, { authorization: 'Bearer forged' }]) {
      const { status, text } = await get('/api/ledger/main/accounts', headers);
      expect([status, text]).toEqual([401, '']);
    }
    simulator.revokeTokens();
    expect((await get('/api/ledger/v2/main')).status).toBe(401);
    const response = await requestToken(
      `grant_type=client_credentials&client_id=${FORMANCE_DEMO_CLIENT_ID}&client_secret=${FORMANCE_DEMO_CLIENT_SECRET}`,
    );
    token = ((await response.json()) as { access_token: string }).access_token;
  });

  it('pages as go-libs does: default 15, v1 cut at 1000, v2 cut at 100, 0 is the default, junk is 400', async () => {
    expect((await json('/api/ledger/main/accounts')).body.cursor).toMatchObject({ pageSize: 15, hasMore: true });
    expect((await json('/api/ledger/main/accounts?pageSize=0')).body.cursor.pageSize).toBe(15);
    const big = (await json('/api/ledger/main/accounts?pageSize=5000')).body.cursor;
    expect([big.pageSize, big.data.length, big.hasMore, big.next]).toEqual([
      1000,
      simulator.truth.accounts('main').length,
      false,
      undefined,
    ]);
    expect((await json('/api/ledger/v2/main/accounts?pageSize=500')).body.cursor).toMatchObject({
      pageSize: 100,
      hasMore: true,
    });
    for (const size of ['-1', 'ten', '1.5']) {
      expect(await json(`/api/ledger/main/balances?pageSize=${size}`)).toEqual({
        status: 400,
        body: { errorCode: 'VALIDATION', errorMessage: "invalid 'pageSize' query param" },
      });
    }
  });

  it('carries the whole query in an opaque base64url cursor, forwards and back', async () => {
    const first = (await json('/api/ledger/main/accounts?pageSize=10&address=merchants:')).body.cursor;
    expect(JSON.parse(Buffer.from(first.next ?? '', 'base64url').toString())).toMatchObject({
      column: 'address',
      pageSize: 10,
      offset: 10,
      filters: { qb: { $match: { address: 'merchants:' } } },
    });
    const third = (
      await json(
        `/api/ledger/main/accounts?cursor=${(await json(`/api/ledger/main/accounts?cursor=${first.next}`)).body.cursor.next}`,
      )
    ).body.cursor;
    expect([...addresses(first), ...addresses(third)].every((address) => address.startsWith('merchants:'))).toBe(true);
    expect([third.data.length, third.hasMore, third.next]).toEqual([10, false, undefined]); // 30 merchants

    const page1 = (await json('/api/ledger/main/accounts?pageSize=7')).body.cursor;
    const page2 = (await json(`/api/ledger/main/accounts?cursor=${page1.next}&address=ignored`)).body.cursor;
    const back = (await json(`/api/ledger/main/accounts?cursor=${page2.previous}`)).body.cursor;
    expect(addresses(page2)).toEqual(
      simulator.truth
        .accounts('main')
        .slice(7, 14)
        .map((account) => account.id),
    );
    expect(addresses(back)).toEqual(addresses(page1));
    expect(back.previous).toBeUndefined();
    expect((await json(`/api/ledger/main/accounts?cursor=${page1.next}&pageSize=3`)).body.cursor.data).toHaveLength(3);
    expect((await json('/api/ledger/main/accounts?cursor=not-a-cursor')).status).toBe(400);
  });

  it('writes amounts as bare integers of any size, as strings only when v2 is asked to', async () => {
    const { text } = await get('/api/ledger/treasury/balances?address=treasury:cold:btc');
    expect(text).toContain('{"treasury:cold:btc":{"BTC/8":123456789011095678901}}');
    const world = await get(`/api/ledger/v2/treasury/volumes?query=${q({ $in: { address: ['world'] } })}`);
    expect(world.text).toContain(
      '{"account":"world","asset":"BTC/8","input":0,"output":123456789012345678901,"balance":-123456789012345678901}',
    );
    const strings = await get(`/api/ledger/v2/treasury/volumes?query=${q({ $in: { address: ['world'] } })}`, {
      'formance-bigint-as-string': 'true',
    });
    expect(strings.text).toContain('"balance":"-123456789012345678901"');
  });

  it('matches address patterns as the released 2.4.x does: `a:` any depth, `a:...` exactly two segments', async () => {
    const list = async (pattern: string) =>
      addresses((await json(`/api/ledger/treasury/accounts?address=${pattern}`)).body.cursor);
    expect(await list('treasury:')).toEqual(['treasury:cold:btc', 'treasury:fx', 'treasury:hot:btc']);
    expect(await list('treasury:...')).toEqual(['treasury:fx']);
    expect(await list('banks::usd')).toEqual(['banks:chase:usd']);
    expect(await list('world')).toEqual(['world']);
  });

  it('filters v2 lists with the query DSL, refusing $in patterns and unknown keys', async () => {
    const found = (
      await json(`/api/ledger/v2/main/accounts?query=${q({ $in: { address: ['world', 'users:0002', 'nobody:404'] } })}`)
    ).body.cursor;
    expect(addresses(found)).toEqual(['users:0002', 'world']);
    expect((await json(`/api/ledger/v2/main/accounts?query=${q({ $in: { address: ['users:'] } })}`)).body).toEqual({
      errorCode: 'VALIDATION',
      errorMessage: 'IN operator only supports full addresses',
    });
    expect((await json(`/api/ledger/v2/main/volumes?query=${q({ $match: { colour: 'red' } })}`)).body.errorCode).toBe(
      'VALIDATION',
    );
    const kyc = (
      await json(
        `/api/ledger/v2/main/accounts?pageSize=100&query=${q({ $and: [{ $match: { address: 'users:' } }, { $match: { 'metadata[kyc]': 'verified' } }] })}`,
      )
    ).body.cursor;
    expect(kyc.data).toHaveLength(27);
  });

  it('needs MOVES_HISTORY=ON for expand=volumes (400) and for v1 /balances (500), not for /v2/volumes', async () => {
    expect((await json('/api/ledger/v2/sandbox/accounts?expand=volumes')).body).toEqual({
      errorCode: 'VALIDATION',
      errorMessage: "feature MOVES_HISTORY must be 'ON' to use volumes",
    });
    expect((await json('/api/ledger/sandbox/balances')).body).toMatchObject({ errorCode: 'INTERNAL' });
    expect((await json('/api/ledger/sandbox/balances')).status).toBe(500);
    expect((await json('/api/ledger/v2/sandbox/volumes')).body.cursor.data).toHaveLength(6);
    expect((await json('/api/ledger/v2/main/accounts?expand=volumes&pageSize=1')).body.cursor.data[0]).toHaveProperty(
      'volumes',
    );
  });

  it('answers 404 NOT_FOUND / LEDGER_NOT_FOUND for unknown ledgers in v2, while v1 creates them', async () => {
    expect(await json('/api/ledger/v2/fresh')).toEqual({
      status: 404,
      body: { errorCode: 'NOT_FOUND', errorMessage: 'ledger not found' },
    });
    expect((await json('/api/ledger/v2/fresh/accounts')).body.errorCode).toBe('LEDGER_NOT_FOUND');
    expect((await json('/api/ledger/fresh/balances')).body.cursor).toEqual({ pageSize: 15, hasMore: false, data: [] });
    expect(simulator.truth.ledgers().map((ledger) => ledger.id)).toEqual(['main', 'treasury', 'sandbox', 'fresh']);
    expect((await json('/api/ledger/v2/fresh')).status).toBe(200);
    expect((await json('/api/ledger/_info/accounts')).status).toBe(400); // a reserved name is not created
  });

  it('keeps v1 quirks: unknown account is a 200 with nothing, and `balance` needs `balanceOperator`', async () => {
    expect((await json('/api/ledger/main/accounts/nobody%3A404')).body.data).toEqual({
      address: 'nobody:404',
      metadata: {},
      firstUsage: '0001-01-01T00:00:00Z',
      insertionDate: '0001-01-01T00:00:00Z',
      updatedAt: '0001-01-01T00:00:00Z',
      balances: {},
    });
    expect((await json('/api/ledger/main/accounts?balance=100')).body).toEqual({
      errorCode: 'VALIDATION',
      errorMessage: 'invalid balance operator',
    });
    const rich = (await json('/api/ledger/treasury/accounts?balance=10000000000000000&balanceOperator=gte')).body
      .cursor;
    expect(addresses(rich)).toEqual(['banks:chase:usd', 'treasury:cold:btc']);
  });

  it('records every request with its status, and forgets them on reset', async () => {
    simulator.resetRequests();
    await get('/api/ledger/main/accounts?pageSize=2&metadata[kyc]=verified', { 'x-trace': 'abc' });
    expect(simulator.requests).toEqual([
      expect.objectContaining({
        method: 'GET',
        path: '/api/ledger/main/accounts',
        query: { pageSize: ['2'], 'metadata[kyc]': ['verified'] },
        body: '',
        status: 200,
      }),
    ]);
    expect(simulator.requests[0]?.headers['x-trace']).toBe('abc');
    simulator.resetRequests();
    expect(simulator.requests).toEqual([]);
  });
});
