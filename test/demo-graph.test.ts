import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeGlobalId } from '../src/relay/global-id.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

interface AccountsPage {
  ledger: {
    accounts: {
      pageInfo: { hasNextPage: boolean; endCursor: string };
      nodes: Array<{
        id: string;
        balances: Array<{ id: string; asset: string; total: { minorUnits: string; scale: number } }>;
      }>;
    };
  };
}

// The whole demo graph through GraphQL, checked amount by amount against what the simulators hold.
describe('the whole demo graph', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("every ledger → every account → every balance equals the simulators' books, and history ends at today's balance", async () => {
    const ledgers: Array<{ id: string; name: string; source: { name: string; capabilities: string[] } }> = [];
    let after: string | null = null;
    for (;;) {
      const response: {
        body: {
          data?: { ledgers: { nodes: typeof ledgers; pageInfo: { hasNextPage: boolean; endCursor: string } } } | null;
        };
      } = await t.query(
        'query($after: String) { ledgers(first: 5, after: $after) { nodes { id name source { name capabilities } } pageInfo { hasNextPage endCursor } } }',
        { after },
      );
      ledgers.push(...response.body.data!.ledgers.nodes);
      if (!response.body.data!.ledgers.pageInfo.hasNextPage) break;
      after = response.body.data!.ledgers.pageInfo.endCursor;
    }
    const expectedLedgers = Object.entries(t.demo.simulators).flatMap(([vendor, simulator]) =>
      simulator.truth.ledgers().map((ledger) => `${vendor}-demo/${ledger.name}`),
    );
    expect(ledgers.map((ledger) => `${ledger.source.name}/${ledger.name}`)).toEqual(expectedLedgers);

    let balancesChecked = 0;
    const historiesChecked = new Set<string>();
    const to = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
    const from = new Date(Date.parse(to) - 2 * 86_400_000).toISOString();
    for (const ledger of ledgers) {
      const vendor = ledger.source.name.replace(/-demo$/, '') as keyof typeof t.demo.simulators;
      const [, ledgerId] = decodeGlobalId(ledger.id).parts as [string, string];
      const truth = t.demo.simulators[vendor].truth;
      const seen: string[] = [];
      let cursor: string | null = null;
      for (;;) {
        const response: { body: { data?: AccountsPage | null; errors?: unknown } } = await t.query(
          'query($id: ID!, $after: String) { ledger(id: $id) { accounts(first: 100, after: $after) { pageInfo { hasNextPage endCursor } nodes { id balances { id asset total { minorUnits scale } } } } } }',
          { id: ledger.id, after: cursor },
        );
        expect(response.body.errors).toBeUndefined();
        const accounts = response.body.data!.ledger.accounts;
        for (const account of accounts.nodes) {
          const accountId = decodeGlobalId(account.id).parts[2]!;
          for (const balance of account.balances) {
            const balanceId = decodeGlobalId(balance.id).parts[3]!;
            seen.push(`${accountId}|${balanceId}|${balance.asset}|${balance.total.minorUnits}/${balance.total.scale}`);
          }
        }
        if (!accounts.pageInfo.hasNextPage) break;
        cursor = accounts.pageInfo.endCursor;
      }
      const expected = truth
        .balances(ledgerId)
        .map(
          (balance) => `${balance.accountId}|${balance.balanceId}|${balance.asset}|${balance.total}/${balance.scale}`,
        );
      expect(seen.sort(), `${ledger.source.name}/${ledger.name}`).toEqual(expected.sort());
      balancesChecked += seen.length;

      // A history window for one account of each ledger whose source keeps history.
      const sample = truth.balances(ledgerId).find((balance) => balance.total !== '0');
      if (!sample || !ledger.source.capabilities.includes('HISTORY')) continue;
      const accountGlobalId = Buffer.from(
        JSON.stringify(['Account', ledger.source.name, ledgerId, sample.accountId]),
      ).toString('base64url');
      const history = await t.query<{
        account: { history: { totalCount: number; nodes: Array<{ at: string; balance: { minorUnits: string } }> } };
      }>(
        `query($id: ID!) { account(id: $id) { history(asset: "${sample.asset}", from: "${from}", to: "${to}") { totalCount nodes { at balance { minorUnits } } } } }`,
        { id: accountGlobalId },
      );
      // A source can keep history for some ledgers only (Formance without MOVES_HISTORY): a coded
      // error on that field, never made-up points.
      if (history.body.errors) {
        expect(history.body.errors.map((error) => error.extensions?.code)).toEqual(['UNSUPPORTED_BY_SOURCE']);
        continue;
      }
      historiesChecked.add(ledger.source.name);
      expect(history.body.data!.account.history.totalCount).toBe(3);
      const total = truth
        .balances(ledgerId)
        .filter((balance) => balance.accountId === sample.accountId && balance.asset === sample.asset)
        .reduce((sum, balance) => sum + BigInt(balance.total), 0n);
      expect(history.body.data!.account.history.nodes.at(-1)).toEqual({
        at: to,
        balance: { minorUnits: total.toString() },
      });
    }
    expect(balancesChecked).toBeGreaterThan(1000);
    // Every source that keeps history answered with real points for at least one ledger.
    const withHistory = new Set(
      ledgers.filter((ledger) => ledger.source.capabilities.includes('HISTORY')).map((ledger) => ledger.source.name),
    );
    expect(historiesChecked).toEqual(withHistory);
  });
});
