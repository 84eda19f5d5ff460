import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

/**
 * `Balance.observedAt` is when the vendor answered, on every path a balance is reached by and for
 * every vendor: a second read served by the read cache a while later still names the first
 * answer's time. A balance that lost its receive time on the way would name the time it was
 * resolved instead (read-freshness.ts), later than the first answer.
 */

type Balance = { asset: string; observedAt: string };
type Account = { id: string; address: string; balances: Balance[] };
type Ledger = {
  id: string;
  source: { name: string };
  balances: { nodes: Array<Balance & { account: { address: string } }> };
  accounts: { nodes: Account[] };
};

const SOURCES = ['formance-demo', 'ledger-enterprise-demo', 'midaz-demo', 'blnk-demo', 'vonage-demo'];
const TREE =
  '{ ledgers(first: 100) { nodes { id source { name } balances(first: 5) { nodes { asset observedAt account { address } } } accounts(first: 3) { nodes { id address balances { asset observedAt } } } } } }';
const BY_ID =
  'query($ids: [ID!]!) { nodes(ids: $ids) { ... on Account { id address balances { asset observedAt } } } }';

/** Every balance of an answer, keyed by path, source, account and asset. */
function observed(ledgers: Ledger[], byId: Account[]): Map<string, string> {
  const sourceOf = new Map<string, string>();
  const times = new Map<string, string>();
  for (const ledger of ledgers) {
    for (const balance of ledger.balances.nodes)
      times.set(
        `list ${ledger.source.name} ${ledger.id} ${balance.account.address} ${balance.asset}`,
        balance.observedAt,
      );
    for (const account of ledger.accounts.nodes) {
      sourceOf.set(account.id, ledger.source.name);
      for (const balance of account.balances)
        times.set(`nested ${ledger.source.name} ${account.address} ${balance.asset}`, balance.observedAt);
    }
  }
  for (const account of byId)
    for (const balance of account.balances)
      times.set(`by id ${sourceOf.get(account.id)} ${account.address} ${balance.asset}`, balance.observedAt);
  return times;
}

describe('Balance.observedAt', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({
      sources: Object.fromEntries(SOURCES.map((name) => [name, { cache: { ttlMs: 60_000 } }])),
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function read(): Promise<Map<string, string>> {
    const tree = await t.query<{ ledgers: { nodes: Ledger[] } }>(TREE);
    expect(tree.body.errors).toBeUndefined();
    const ledgers = tree.body.data!.ledgers.nodes;
    const ids = ledgers.flatMap((ledger) => ledger.accounts.nodes.map((account) => account.id));
    const byId = await t.query<{ nodes: Account[] }>(BY_ID, { ids });
    expect(byId.body.errors).toBeUndefined();
    return observed(ledgers, byId.body.data!.nodes);
  }

  it('is the vendor answer’s receive time on the list, nested and by-id paths of all five vendors, cached or not', async () => {
    const before = new Date().toISOString();
    const first = await read();
    const answered = new Date().toISOString();
    await sleep(50);
    const second = await read();

    // Every vendor on the nested and by-id paths; the list path where a vendor lists balances of a ledger.
    for (const path of ['nested', 'by id'])
      for (const source of SOURCES)
        expect(
          [...first.keys()].some((key) => key.startsWith(`${path} ${source} `)),
          `${path} ${source}`,
        ).toBe(true);
    expect(
      new Set([...first.keys()].filter((key) => key.startsWith('list ')).map((key) => key.split(' ')[1])).size,
    ).toBeGreaterThanOrEqual(4);

    for (const [key, time] of first) {
      expect(time >= before && time <= answered, `${key}: ${time} outside ${before}..${answered}`).toBe(true);
      expect(second.get(key), key).toBe(time);
    }
    expect(second.size).toBe(first.size);
  });
});
