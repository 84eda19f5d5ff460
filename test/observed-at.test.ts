import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

/**
 * `Balance.observedAt` is when the vendor answered, on every path a balance is reached by and for
 * every vendor: a second read served by the read cache a while later still names the first
 * answer's time. A balance that lost its receive time on the way would name the time it was
 * resolved instead (read-freshness.ts), later than the first answer.
 */

type Balance = { asset: string; observedAt: string; stale: boolean };
type Account = { id: string; address: string; balances: Balance[] };
type Ledger = {
  id: string;
  source: { name: string };
  balances: { nodes: Array<Balance & { id: string; account: { address: string } }> };
  accounts: { nodes: Account[] };
};

const SOURCES = ['formance-demo', 'ledger-enterprise-demo', 'midaz-demo', 'blnk-demo', 'vonage-demo'];
const TREE =
  '{ ledgers(first: 100) { nodes { id source { name } balances(first: 5) { nodes { id asset observedAt stale account { address } } } accounts(first: 3) { nodes { id address balances { asset observedAt stale } } } } } }';
const BY_ID =
  'query($ids: [ID!]!) { nodes(ids: $ids) { ... on Account { id address balances { asset observedAt stale } } ... on Balance { id asset observedAt stale } } }';

/** Every balance of an answer, keyed by path, source, account and asset. */
function observed(ledgers: Ledger[], byId: Array<Account | (Balance & { id: string })>): Map<string, Balance> {
  const sourceOf = new Map<string, string>();
  const found = new Map<string, Balance>();
  for (const ledger of ledgers) {
    for (const balance of ledger.balances.nodes) {
      sourceOf.set(balance.id, ledger.source.name);
      found.set(`list ${ledger.source.name} ${ledger.id} ${balance.account.address} ${balance.asset}`, balance);
    }
    for (const account of ledger.accounts.nodes) {
      sourceOf.set(account.id, ledger.source.name);
      for (const balance of account.balances)
        found.set(`nested ${ledger.source.name} ${account.address} ${balance.asset}`, balance);
    }
  }
  for (const node of byId) {
    if ('balances' in node)
      for (const balance of node.balances)
        found.set(`by id ${sourceOf.get(node.id)} ${node.address} ${balance.asset}`, balance);
    else found.set(`balance by id ${sourceOf.get(node.id)} ${node.id}`, node);
  }
  return found;
}

const PATHS = ['list', 'nested', 'by id', 'balance by id'];

describe('Balance.observedAt', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({
      sources: Object.fromEntries(SOURCES.map((name) => [name, { cache: { ttlMs: 60_000, staleIfErrorMs: 600_000 } }])),
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function read(headers: Record<string, string> = {}): Promise<Map<string, Balance>> {
    const tree = await t.query<{ ledgers: { nodes: Ledger[] } }>(TREE, {}, headers);
    expect(tree.body.errors).toBeUndefined();
    const ledgers = tree.body.data!.ledgers.nodes;
    const ids = ledgers.flatMap((ledger) => [
      ...ledger.accounts.nodes.map((account) => account.id),
      ...ledger.balances.nodes.map((balance) => balance.id),
    ]);
    const byId = await t.query<{ nodes: Account[] }>(BY_ID, { ids }, headers);
    expect(byId.body.errors).toBeUndefined();
    return observed(ledgers, byId.body.data!.nodes);
  }

  /** Every vendor on every path. */
  function expectEveryPath(found: Map<string, Balance>): void {
    for (const path of PATHS)
      for (const source of SOURCES)
        expect(
          [...found.keys()].some((key) => key.startsWith(`${path} ${source} `)),
          `${path} ${source}`,
        ).toBe(true);
  }

  it('is the vendor answer’s receive time on the list, nested and by-id paths of all five vendors, cached or not', async () => {
    const before = new Date().toISOString();
    const first = await read();
    const answered = new Date().toISOString();
    await sleep(50);
    const second = await read();
    expectEveryPath(first);
    for (const [key, balance] of first) {
      expect(balance.observedAt >= before && balance.observedAt <= answered, `${key}: ${balance.observedAt}`).toBe(
        true,
      );
      expect(balance.stale, key).toBe(false);
      expect(second.get(key), key).toEqual(balance);
    }
    expect(second.size).toBe(first.size);
  });

  it('is the cached answer’s time, marked stale, on every path when every vendor fails; not stale once they answer', async () => {
    await read({ 'cache-control': 'no-cache' });
    // What the cache holds now (one answer may have been read again by a later query of the pair).
    const fresh = await read();
    const simulators = Object.values(t.demo.simulators);
    for (const simulator of simulators) await simulator.setFault('refuse');
    let stale: Map<string, Balance>;
    try {
      stale = await read({ 'cache-control': 'no-cache' });
    } finally {
      for (const simulator of simulators) await simulator.setFault(null);
    }
    expectEveryPath(stale);
    for (const [key, balance] of fresh) expect(stale.get(key), key).toEqual({ ...balance, stale: true });
    const cached = await read();
    for (const [key, balance] of fresh) expect(cached.get(key), key).toEqual(balance);
  });
});
