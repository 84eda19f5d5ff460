import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

interface HistoryPage {
  account: {
    balances: Array<{ asset: string; total: { minorUnits: string } }>;
    history: {
      totalCount: number;
      edges: Array<{
        cursor: string;
        node: { at: string; balance: { minorUnits: string; asset: string; scale: number } };
      }>;
      pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string };
    } | null;
  };
}

describe('Account.history through GraphQL', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(async () => {
    await t?.close();
  });

  // Today at whole seconds (Blnk echoes timestamps without fractions), and 14 days before.
  const to = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
  const from = new Date(Date.parse(to) - 14 * 86_400_000).toISOString();

  for (const vendor of ['blnk', 'midaz'] as const) {
    it(`${vendor}: pages a 15-day window both ways, and its last point is today's balance`, async () => {
      const truth = t.demo.simulators[vendor].truth;
      const ledger = [...truth.ledgers()].sort((a, b) => truth.accounts(b.id).length - truth.accounts(a.id).length)[0]!;
      const balance = truth.balances(ledger.id).find((candidate) => candidate.total !== '0')!;
      const id = encodeGlobalId('Account', [`${vendor}-demo`, ledger.id, balance.accountId]);
      const query = (args: string) =>
        t.query<HistoryPage>(
          `query($id: ID!) { account(id: $id) { balances { asset total { minorUnits } }
            history(asset: "${balance.asset}", from: "${from}", to: "${to}", interval: DAY, ${args}) {
              totalCount edges { cursor node { at balance { minorUnits asset scale } } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`,
          { id },
        );
      const forward: string[] = [];
      let after = '';
      for (;;) {
        const response = await query(`first: 4${after ? `, after: "${after}"` : ''}`);
        expect(response.body.errors).toBeUndefined();
        const history = response.body.data!.account.history!;
        expect(history.totalCount).toBe(15);
        forward.push(...history.edges.map((edge) => `${edge.node.at}=${edge.node.balance.minorUnits}`));
        for (const edge of history.edges)
          expect(edge.node.balance).toMatchObject({ asset: balance.asset, scale: balance.scale });
        if (!history.pageInfo.hasNextPage) break;
        after = history.pageInfo.endCursor;
      }
      expect(forward).toHaveLength(15);
      expect(forward[0]!.startsWith(from)).toBe(true);
      // Read backwards from the end: the same points.
      const backward: string[] = [];
      let before = '';
      for (;;) {
        const response = await query(`last: 6${before ? `, before: "${before}"` : ''}`);
        const history = response.body.data!.account.history!;
        backward.unshift(...history.edges.map((edge) => `${edge.node.at}=${edge.node.balance.minorUnits}`));
        if (!history.pageInfo.hasPreviousPage) break;
        before = history.pageInfo.startCursor;
      }
      expect(backward).toEqual(forward);
      // Nothing moved after today's instant: the last point is the current balance.
      expect(forward.at(-1)).toBe(`${to}=${balance.total}`);
    });
  }

  it('refuses a reversed, oversized or future window before calling the vendor', async () => {
    const truth = t.demo.simulators.blnk.truth;
    const ledger = truth.ledgers().find((candidate) => truth.accounts(candidate.id).length > 0)!;
    const account = truth.accounts(ledger.id)[0]!;
    const id = encodeGlobalId('Account', ['blnk-demo', ledger.id, account.id]);
    await t.resetUpstream();
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    for (const window of [
      `from: "${to}", to: "${from}"`,
      `from: "2000-01-01T00:00:00Z", to: "${to}", interval: HOUR`,
      `from: "${from}", to: "${tomorrow}"`,
    ]) {
      const response = await t.query(
        `query($id: ID!) { account(id: $id) { history(asset: "USD", ${window}) { totalCount } } }`,
        { id },
      );
      expect(response.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    const atCalls = t.demo.simulators.blnk.requests.filter((request) => request.path.endsWith('/at'));
    expect(atCalls).toEqual([]);
  });
});
