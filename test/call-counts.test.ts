import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

// Upstream calls per GraphQL request, read off the simulators' own counters.
describe('upstream calls per GraphQL request', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(async () => {
    await t?.close();
  });

  const accountIds = (vendor: 'formance' | 'blnk', count: number) => {
    const truth = t.demo.simulators[vendor].truth;
    const ledger = [...truth.ledgers()].sort((a, b) => truth.accounts(b.id).length - truth.accounts(a.id).length)[0]!;
    return truth
      .accounts(ledger.id)
      .slice(0, count)
      .map((account) => encodeGlobalId('Account', [`${vendor}-demo`, ledger.id, account.id]));
  };
  const BALANCES_BY_ID =
    'query($ids: [ID!]!) { nodes(ids: $ids) { ... on Account { address balances { asset total { minorUnits } } } } }';

  it('100 Blnk accounts with their balances by id: 5 GETs of at most 24 ids, each filter value at most 1000 characters', async () => {
    const ids = accountIds('blnk', 100);
    await t.resetUpstream();
    const response = await t.query<{ nodes: Array<{ balances: unknown[] } | null> }>(BALANCES_BY_ID, { ids });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!.nodes.every((node) => node !== null && node.balances.length === 1)).toBe(true);
    const requests = t.demo.simulators.blnk.requests;
    expect(requests).toHaveLength(5);
    for (const request of requests) {
      expect(request.path).toBe('/balances');
      const value = request.query.balance_id_in?.[0] ?? '';
      expect(value.split(',').length).toBeLessThanOrEqual(24);
      expect(value.length).toBeLessThanOrEqual(1000);
    }
    expect(requests.flatMap((request) => request.query.balance_id_in![0]!.split(',')).sort()).toHaveLength(100);
    expect(t.upstream().formance + t.upstream().midaz).toBe(0);
  });

  it('100 Formance accounts with their balances by id: one $in call', async () => {
    const ids = accountIds('formance', 100);
    await t.resetUpstream();
    const response = await t.query<{ nodes: Array<{ balances: unknown[] } | null> }>(BALANCES_BY_ID, { ids });
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!.nodes.every((node) => node !== null)).toBe(true);
    const requests = t.demo.simulators.formance.requests.filter((request) => !request.path.endsWith('/oauth/token'));
    expect(requests.map((request) => request.path)).toEqual([
      expect.stringMatching(/^\/api\/ledger\/v2\/[^/]+\/accounts$/),
    ]);
  });

  for (const vendor of ['formance', 'blnk'] as const) {
    it(`${vendor}: a ledger page of 50 accounts with balances costs the ledger lookup and the page, no call per account`, async () => {
      const truth = t.demo.simulators[vendor].truth;
      const ledger = [...truth.ledgers()].sort((a, b) => truth.accounts(b.id).length - truth.accounts(a.id).length)[0]!;
      const id = encodeGlobalId('Ledger', [`${vendor}-demo`, ledger.id]);
      // Warm the per-ledger caches a running gateway has (Formance checks a ledger's features once a minute).
      await t.query(`{ ledger(id: "${id}") { accounts(first: 1) { nodes { address } } } }`);
      await t.resetUpstream();
      const response = await t.query<{ ledger: { accounts: { nodes: Array<{ balances: unknown[] }> } } }>(
        `{ ledger(id: "${id}") { accounts(first: 50) { nodes { address balances { asset total { minorUnits } } } } } }`,
      );
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data!.ledger.accounts.nodes).toHaveLength(50);
      const calls = t.demo.simulators[vendor].requests.filter((request) => !request.path.endsWith('/oauth/token'));
      expect(calls.length).toBeLessThanOrEqual(2);
    });
  }

  // Regression: review of #6 — each Blnk balance's account was read again although the balance is the account.
  // Issue 14: a non-empty page proves the ledger exists, so the ledger lookup goes too.
  it('blnk: 50 balances with their accounts cost the page alone', async () => {
    const truth = t.demo.simulators.blnk.truth;
    const ledger = [...truth.ledgers()].sort((a, b) => truth.accounts(b.id).length - truth.accounts(a.id).length)[0]!;
    const id = encodeGlobalId('Ledger', ['blnk-demo', ledger.id]);
    await t.resetUpstream();
    const response = await t.query<{ ledger: { balances: { nodes: Array<{ account: { address: string } }> } } }>(
      `{ ledger(id: "${id}") { balances(first: 50) { nodes { asset account { address } } } } }`,
    );
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!.ledger.balances.nodes).toHaveLength(50);
    expect(t.upstream().blnk).toBe(1);
  });

  describe('blnk: a ledger proved by its first balances page', () => {
    const unknown = encodeGlobalId('Ledger', ['blnk-demo', 'ldg_00000000-0000-4000-8000-000000000000']);
    const known = () => {
      const truth = t.demo.simulators.blnk.truth;
      return truth.ledgers().find((ledger) => truth.balances(ledger.id).length > 2)!;
    };
    const BALANCES =
      'query($id: ID!, $asset: String) { ledger(id: $id) { id balances(first: 5, filter: { asset: $asset }) { nodes { asset } } } }';

    it('an unknown ledger is still null without an error, as the lookup answers it', async () => {
      // With `name` selected the page proves nothing the answer needs: the lookup alone answers, as before issue 14.
      const looked = await t.query(`{ ledger(id: "${unknown}") { name balances(first: 5) { nodes { asset } } } }`);
      await t.resetUpstream();
      const proved = await t.query(BALANCES, { id: unknown });
      expect(proved.body).toEqual({ data: { ledger: null } });
      expect(proved.body).toEqual(looked.body);
      // The empty page, then the lookup that says NOT_FOUND.
      expect(t.upstream().blnk).toBe(2);
    });

    it('an empty page of a ledger that exists is still an empty list, after the lookup', async () => {
      const id = encodeGlobalId('Ledger', ['blnk-demo', known().id]);
      await t.resetUpstream();
      const response = await t.query(BALANCES, { id, asset: 'NO-SUCH-ASSET' });
      expect(response.body).toEqual({ data: { ledger: { id, balances: { nodes: [] } } } });
      expect(t.upstream().blnk).toBe(2);
    });

    it('two aliases of one ledger each answer their own page', async () => {
      const ledger = known();
      const id = encodeGlobalId('Ledger', ['blnk-demo', ledger.id]);
      const response = await t.query<Record<string, { balances: { nodes: unknown[] } }>>(
        `{ a: ledger(id: "${id}") { balances(first: 1) { nodes { asset } } } b: ledger(id: "${id}") { balances(first: 2) { nodes { asset } } } }`,
      );
      expect(response.body.errors).toBeUndefined();
      expect(response.body.data!.a!.balances.nodes).toHaveLength(1);
      expect(response.body.data!.b!.balances.nodes).toHaveLength(2);
    });
  });

  it('walking a Formance ledger of 300 accounts forward, 100 at a time, costs one accounts call per page', async () => {
    const truth = t.demo.simulators.formance.truth;
    const ledger = [...truth.ledgers()].sort((a, b) => truth.accounts(b.id).length - truth.accounts(a.id).length)[0]!;
    const id = encodeGlobalId('Ledger', [`formance-demo`, ledger.id]);
    await t.resetUpstream();
    let after: string | null = null;
    let pages = 0;
    for (;;) {
      const response: {
        body: { data?: { ledger: { accounts: { pageInfo: { hasNextPage: boolean; endCursor: string } } } } | null };
      } = await t.query(
        'query($id: ID!, $after: String) { ledger(id: $id) { accounts(first: 100, after: $after) { pageInfo { hasNextPage endCursor } } } }',
        { id, after },
      );
      pages += 1;
      const info = response.body.data!.ledger.accounts.pageInfo;
      if (!info.hasNextPage) break;
      after = info.endCursor;
    }
    const accountCalls = t.demo.simulators.formance.requests.filter((request) => request.path.endsWith('/accounts'));
    expect(accountCalls).toHaveLength(pages);
  });
});
