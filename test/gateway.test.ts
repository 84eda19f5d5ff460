import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seededSizes } from './providers/contract.ts';
import type { DemoVendor } from '../src/simulators/demo.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

interface Page<T> {
  edges: Array<{ cursor: string; node: T }>;
  pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string | null; endCursor: string | null };
}

describe('the gateway over the demo sources', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(async () => {
    await t?.close();
  });

  const ledgerIdOf = async (source: string, name: string): Promise<string> => {
    const response = await t.query<{
      ledgers: { nodes: Array<{ id: string; name: string; source: { name: string } }> };
    }>('{ ledgers(first: 100) { nodes { id name source { name } } } }');
    const ledger = response.body.data?.ledgers.nodes.find((node) => node.source.name === source && node.name === name);
    if (!ledger) throw new Error(`no ledger ${source}/${name}`);
    return ledger.id;
  };
  const biggest = (source: DemoVendor) => {
    const truth = t.demo.simulators[source].truth;
    return [...truth.ledgers()].sort((a, b) => truth.accounts(b.id).length - truth.accounts(a.id).length)[0]!;
  };

  /** Walks a connection field through GraphQL, forwards or backwards, with page sizes from `nextSize`. */
  async function walkField<T>(
    select: (args: string) => string,
    pick: (data: Record<string, unknown>) => Page<T>,
    direction: 'forward' | 'backward',
    nextSize: () => number,
  ) {
    const items: T[] = [];
    let cursor: string | null = null;
    for (let guard = 0; guard < 1000; guard += 1) {
      const size = nextSize();
      const args =
        direction === 'forward'
          ? `first: ${size}${cursor ? `, after: "${cursor}"` : ''}`
          : `last: ${size}${cursor ? `, before: "${cursor}"` : ''}`;
      const response = await t.query(select(args));
      expect(response.body.errors).toBeUndefined();
      const page = pick(response.body.data as Record<string, unknown>);
      const nodes = page.edges.map((edge) => edge.node);
      if (direction === 'forward') items.push(...nodes);
      else items.unshift(...nodes);
      // The opposite flag is exact: true exactly when a cursor was given.
      expect(direction === 'forward' ? page.pageInfo.hasPreviousPage : page.pageInfo.hasNextPage).toBe(cursor !== null);
      const more = direction === 'forward' ? page.pageInfo.hasNextPage : page.pageInfo.hasPreviousPage;
      if (!more) return items;
      expect(nodes).toHaveLength(size);
      cursor = direction === 'forward' ? page.pageInfo.endCursor : page.pageInfo.startCursor;
    }
    throw new Error('walk did not end');
  }

  it('lists every configured source with its kind and capabilities', async () => {
    const response = await t.query('{ sources { id name kind capabilities } }');
    expect(response.status).toBe(200);
    const sources = (response.body.data as { sources: Array<{ name: string; kind: string; capabilities: string[] }> })
      .sources;
    expect(sources.map((source) => [source.name, source.kind])).toEqual(
      t.demo.sources.map((source) => [source.name, String(source.kind).toUpperCase().replace('-', '_')]),
    );
    expect(sources.find((source) => source.name === 'formance-demo')?.capabilities).toEqual(
      expect.arrayContaining(['LEDGERS', 'ACCOUNTS', 'BALANCES', 'AGGREGATED_BALANCES']),
    );
    expect(sources.find((source) => source.name === 'blnk-demo')?.capabilities).toEqual(
      expect.arrayContaining(['LEDGERS', 'ACCOUNTS', 'BALANCES', 'HISTORY']),
    );
  });

  it('pages the ledgers of every source in config order, forward and backward', async () => {
    const expected = Object.entries(t.demo.simulators).flatMap(([vendor, simulator]) =>
      simulator.truth.ledgers().map((ledger) => `${vendor}-demo/${ledger.name}`),
    );
    const select = (args: string) =>
      `{ ledgers(${args}) { edges { cursor node { name source { name } } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }`;
    const pick = (data: Record<string, unknown>) => data.ledgers as Page<{ name: string; source: { name: string } }>;
    const label = (ledger: { name: string; source: { name: string } }) => `${ledger.source.name}/${ledger.name}`;
    expect((await walkField(select, pick, 'forward', () => 2)).map(label)).toEqual(expected);
    expect((await walkField(select, pick, 'backward', () => 3)).map(label)).toEqual(expected);
  });

  for (const source of ['formance', 'ledger-enterprise', 'midaz', 'blnk'] as const) {
    it(`walks ${source}'s 250+ account ledger forward and backward with random page sizes, exactly the vendor's list`, async () => {
      const ledger = biggest(source);
      const expected = t.demo.simulators[source].truth.accounts(ledger.id).map((account) => account.address);
      expect(expected.length).toBeGreaterThan(250);
      const id = await ledgerIdOf(`${source}-demo`, ledger.name);
      const select = (args: string) =>
        `{ ledger(id: "${id}") { accounts(${args}) { edges { cursor node { address } } pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } } }`;
      const pick = (data: Record<string, unknown>) => (data.ledger as { accounts: Page<{ address: string }> }).accounts;
      for (const seed of [11, 23]) {
        expect((await walkField(select, pick, 'forward', seededSizes(seed))).map((node) => node.address)).toEqual(
          expected,
        );
        expect((await walkField(select, pick, 'backward', seededSizes(seed * 3))).map((node) => node.address)).toEqual(
          expected,
        );
      }
    });
  }

  it('resolves node(id) and nodes(ids) for every kind of ID it returns', async () => {
    const response = await t.query<{
      ledgers: {
        nodes: Array<{
          id: string;
          source: { id: string };
          accounts: { nodes: Array<{ id: string; balances: Array<{ id: string }> }> };
        }>;
      };
    }>('{ ledgers(first: 100) { nodes { id source { id } accounts(first: 2) { nodes { id balances { id } } } } } }');
    expect(response.body.errors).toBeUndefined();
    const ids = response.body.data!.ledgers.nodes.flatMap((ledger) => [
      ledger.id,
      ledger.source.id,
      ...ledger.accounts.nodes.flatMap((account) => [account.id, ...account.balances.map((balance) => balance.id)]),
    ]);
    const unique = [...new Set(ids)];
    expect(unique.length).toBeGreaterThan(10);
    const resolved = await t.query<{ nodes: Array<{ id: string; __typename: string } | null> }>(
      'query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } }',
      { ids: unique.slice(0, 100) },
    );
    expect(resolved.body.errors).toBeUndefined();
    expect(resolved.body.data!.nodes.map((node) => node?.id)).toEqual(unique.slice(0, 100));
    expect(new Set(resolved.body.data!.nodes.map((node) => node?.__typename))).toEqual(
      new Set(['Ledger', 'Source', 'Account', 'Balance']),
    );
    const one = await t.query<{ node: { id: string } }>(`{ node(id: "${unique[0]}") { id } }`);
    expect(one.body.data!.node.id).toBe(unique[0]);
  });

  it('returns money exactly: amounts above 2^53 and negative amounts, as strings', async () => {
    for (const source of Object.keys(t.demo.simulators) as DemoVendor[]) {
      for (const ledger of t.demo.simulators[source].truth.ledgers()) {
        const truth = t.demo.simulators[source].truth.balances(ledger.id);
        const id = await ledgerIdOf(`${source}-demo`, ledger.name);
        const response = await t.query<{
          ledger: {
            balances: { nodes: Array<{ asset: string; total: { minorUnits: string; amount: string; scale: number } }> };
          };
        }>(
          `{ ledger(id: "${id}") { balances(first: 100) { nodes { asset total { minorUnits amount scale asset } } } } }`,
        );
        expect(response.body.errors).toBeUndefined();
        const nodes = response.body.data!.ledger.balances.nodes;
        truth.slice(0, 100).forEach((balance, index) => {
          expect(nodes[index]!.total.minorUnits).toBe(balance.total);
          expect(nodes[index]!.total.scale).toBe(balance.scale);
          // The digits arrive in the JSON text as a string, never as a JSON number.
          expect(response.text).toContain(`"minorUnits":"${balance.total}"`);
        });
      }
    }
    const huge = t.demo.simulators.formance.truth
      .balances('treasury')
      .concat(
        t.demo.simulators.formance.truth
          .ledgers()
          .flatMap((ledger) => t.demo.simulators.formance.truth.balances(ledger.id)),
      );
    expect(huge.some((balance) => BigInt(balance.total) > 2n ** 53n)).toBe(true);
  });

  it('refuses bad paging input with BAD_USER_INPUT before reading any vendor list', async () => {
    const id = await ledgerIdOf('formance-demo', biggest('formance').name);
    const page = await t.query<{ ledger: { accounts: Page<unknown> } }>(
      `{ ledger(id: "${id}") { accounts(first: 2) { edges { cursor } pageInfo { endCursor } } } }`,
    );
    const cursor = page.body.data!.ledger.accounts.pageInfo.endCursor!;
    const tampered = `${cursor.slice(0, 5)}${cursor[5] === 'A' ? 'B' : 'A'}${cursor.slice(6)}`;
    await t.resetUpstream();
    const cases = [
      `{ ledger(id: "${id}") { accounts(first: -1) { edges { cursor } } } }`,
      `{ ledger(id: "${id}") { accounts(first: 2, after: "${tampered}") { edges { cursor } } } }`,
      `{ ledger(id: "${id}") { accounts(first: 2, after: "not-a-cursor") { edges { cursor } } } }`,
      // A cursor from another connection: the same field with another filter, and another field.
      `{ ledger(id: "${id}") { accounts(first: 2, after: "${cursor}", filter: { address: "users:" }) { edges { cursor } } } }`,
      `{ ledger(id: "${id}") { balances(first: 2, after: "${cursor}") { edges { cursor } } } }`,
      `{ ledgers(first: 2, after: "${cursor}") { edges { cursor } } }`,
      `{ ledger(id: "not-an-id") { name } }`,
    ];
    for (const query of cases) {
      const response = await t.query(query);
      expect(response.status, query).toBe(200);
      expect(response.body.errors?.[0]?.extensions?.code, query).toBe('BAD_USER_INPUT');
    }
    // A page over 100 breaks an operation limit: refused before execution, as a request error.
    const tooBig = await t.query(`{ ledger(id: "${id}") { accounts(first: 101) { edges { cursor } } } }`);
    expect([tooBig.status, tooBig.body.errors?.[0]?.extensions]).toEqual([
      400,
      { code: 'LIMIT_EXCEEDED', limit: 'pageSize' },
    ]);
    // The parent ledger may be looked up, but no list is read for a page the gateway refuses.
    const listCalls = t.demo.simulators.formance.requests.filter((request) =>
      /\/(accounts|balances)/.test(request.path),
    );
    expect(listCalls).toEqual([]);
    expect(t.upstream().blnk).toBe(0);
  });

  it('sums a Formance ledger, and says UNSUPPORTED_BY_SOURCE for Blnk on that field only', async () => {
    const formanceId = await ledgerIdOf('formance-demo', biggest('formance').name);
    const blnkId = await ledgerIdOf('blnk-demo', biggest('blnk').name);
    const response = await t.query<{
      a: { name: string; aggregatedBalances: Array<{ asset: string; minorUnits: string }> };
      b: { name: string; aggregatedBalances: null } | null;
    }>(
      `{ a: ledger(id: "${formanceId}") { name aggregatedBalances { asset minorUnits scale } } b: ledger(id: "${blnkId}") { name aggregatedBalances { asset } } }`,
    );
    const truth = t.demo.simulators.formance.truth.balances(biggest('formance').id);
    const usd = truth
      .filter((balance) => balance.asset === 'USD')
      .reduce((sum, balance) => sum + BigInt(balance.total), 0n);
    expect(response.body.data?.a.aggregatedBalances.find((money) => money.asset === 'USD')?.minorUnits).toBe(
      usd.toString(),
    );
    expect(response.body.data?.b).toEqual({ name: biggest('blnk').name, aggregatedBalances: null });
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors?.[0]).toMatchObject({
      path: ['b', 'aggregatedBalances'],
      extensions: { code: 'UNSUPPORTED_BY_SOURCE', source: 'blnk-demo' },
    });
  });

  it('tops up the Vonage source through Mutation.topUp, one POST', async () => {
    await t.resetUpstream();
    const response = await t.query<{ topUp: { outcome: string; trx: string; source: { name: string; kind: string } } }>(
      'mutation { topUp(input: { source: "vonage-demo", trx: "00X123456Y7890123Z" }) { outcome trx source { name kind } } }',
    );
    expect(response.body).toEqual({
      data: {
        topUp: { outcome: 'SUCCESS', trx: '00X123456Y7890123Z', source: { name: 'vonage-demo', kind: 'VONAGE' } },
      },
    });
    expect(t.demo.simulators.vonage.requests.map((request) => `${request.method} ${request.path}`)).toEqual([
      'POST /account/top-up',
    ]);
  });

  it('refuses a top-up on a source that cannot top up, or an unknown one, with coded errors and no vendor call', async () => {
    await t.resetUpstream();
    const mutation =
      'mutation($source: String!) { topUp(input: { source: $source, trx: "00X123456Y7890123Z" }) { outcome } }';
    const blnk = await t.query(mutation, { source: 'blnk-demo' });
    expect(blnk.body.errors?.[0]?.extensions).toEqual({ code: 'UNSUPPORTED_BY_SOURCE', source: 'blnk-demo' });
    const unknown = await t.query(mutation, { source: 'nope' });
    expect(unknown.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(Object.values(t.upstream()).every((count) => count === 0)).toBe(true);
  });
});
