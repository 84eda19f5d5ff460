import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  type GraphQLInputType,
  type GraphQLInterfaceType,
  type GraphQLObjectType,
} from 'graphql';
import { createSchema } from '../src/server.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

/**
 * Hostile and malformed input never crashes the gateway, never gets an uncoded or internal error,
 * and, when it is refused as a request, never reaches a vendor.
 */
describe('bad input', () => {
  let t: TestGateway;
  let url: string;
  beforeAll(async () => {
    t = await startTestGateway();
    url = await t.listen();
  });
  afterAll(() => t?.close());

  interface Outcome {
    status: number;
    body: { data?: unknown; errors?: Array<{ message: string; extensions?: { code?: string } }> };
    upstream: number;
  }
  const totalUpstream = () => Object.values(t.upstream()).reduce((sum, count) => sum + count, 0);
  /** Sends raw bytes over a real socket and checks what every answer must be. */
  const send = async (body: string | Uint8Array<ArrayBuffer>, contentType = 'application/json'): Promise<Outcome> => {
    // A merged list reads later sources speculatively; such a read can outlive the answer that
    // did not need it. Let earlier requests' vendor calls finish before counting this one's.
    for (let quiet = 0; quiet < 3; ) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      quiet = Object.values(t.demo.simulators).some((simulator) => simulator.inFlight > 0) ? 0 : quiet + 1;
    }
    t.resetUpstream();
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
    const text = await response.text();
    let parsed: Outcome['body'];
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`not JSON (HTTP ${response.status}): ${text.slice(0, 200)}`);
    }
    const outcome = { status: response.status, body: parsed, upstream: totalUpstream() };
    expect([200, 400, 403, 413, 415]).toContain(outcome.status);
    for (const error of parsed.errors ?? []) {
      expect(error.extensions?.code, error.message).toBeTypeOf('string');
      expect(error.extensions?.code, error.message).not.toBe('INTERNAL_SERVER_ERROR');
    }
    // Refused as a request (no data at all): nothing may have been asked of a vendor.
    if (!('data' in parsed) || parsed.data === null) expect(outcome.upstream).toBe(0);
    return outcome;
  };
  const query = (text: string, variables?: unknown) => send(JSON.stringify({ query: text, variables }));
  const stillServing = async () => {
    const outcome = await query('{ sources { name } }');
    expect((outcome.body.data as { sources: unknown[] }).sources).toHaveLength(5);
  };

  it('malformed documents and bodies', async () => {
    const cases: Array<[string | Uint8Array<ArrayBuffer>, string?]> = [
      ['{"query":"{ sources { name }'],
      ['{"query":"{ sources { name "}'],
      ['[1, 2, 3]'],
      ['"just a string"'],
      ['{"query": 42}'],
      ['{"query": "{ sources { name } }", "variables": "not an object"}'],
      ['{"query": "query A { sources { name } } query B { sources { kind } }", "operationName": "C"}'],
      ['{"query": "{ sources { name } }", "extensions": 7}'],
      [new Uint8Array([0x7b, 0x22, 0x71, 0xff, 0xfe, 0x22, 0x3a, 0x22, 0x7d])],
      ['query=%7B%7D', 'application/x-www-form-urlencoded'],
      ['', 'application/json'],
    ];
    for (const [body, type] of cases) {
      const outcome = await send(body, type);
      expect(outcome.body.errors?.length ?? 0, String(body)).toBeGreaterThan(0);
    }
    await stillServing();
  });

  it('oversized and deeply nested documents', async () => {
    const deep = `${'{ a '.repeat(10_000)}${'}'.repeat(10_000)}`;
    expect((await query(deep)).body.errors?.[0]?.extensions?.code).toBe('LIMIT_EXCEEDED');
    const deepField = `{ ledgers(first: 1) { nodes { ${'accounts(first: 1) { nodes { ledger { '.repeat(12)} name ${'} } }'.repeat(12)} } } }`;
    expect((await query(deepField)).body.errors?.[0]?.extensions).toEqual({ code: 'LIMIT_EXCEEDED', limit: 'depth' });
    const deepList = `query { ledgers(first: 1, after: ${'['.repeat(5000)}${']'.repeat(5000)}) { nodes { name } } }`;
    expect((await query(deepList)).body.errors?.[0]?.extensions).toEqual({ code: 'LIMIT_EXCEEDED', limit: 'depth' });
    const wide = `{ ${Array.from({ length: 3000 }, (_, index) => `a${index}: sources { name }`).join(' ')} }`;
    expect((await query(wide)).body.errors?.[0]?.extensions?.code).toBe('LIMIT_EXCEEDED');
    const fragments = `{ ...F0 } ${Array.from({ length: 40 }, (_, index) => `fragment F${index} on Query { sources { name } ...F${index + 1} }`).join(' ')} fragment F40 on Query { sources { name } }`;
    expect((await query(fragments)).status).toBeLessThan(500);
    const cycle = '{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }';
    expect((await query(cycle)).body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
    await stillServing();
  });

  it('huge variables', async () => {
    const megabyte = await query('query($a: String) { sources { name } }', { a: 'x'.repeat(1024 * 1024) });
    expect([megabyte.status, megabyte.body.errors?.[0]?.extensions?.code]).toEqual([413, 'LIMIT_EXCEEDED']);
    const list = await query('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids: Array.from({ length: 100_000 }, (_, index) => String(index)) });
    expect(list.body.errors?.[0]?.extensions?.code).toBe('LIMIT_EXCEEDED');
    const wrongType = await query('query($n: Int) { ledgers(first: $n) { nodes { name } } }', { n: 'many' });
    expect(wrongType.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const nested = await query('query($n: Int) { ledgers(first: $n) { nodes { name } } }', { n: { $gt: 1 } });
    expect(nested.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    await stillServing();
  });

  it('hostile cursors and IDs: refused as BAD_USER_INPUT (or not found), no vendor reached for what this gateway could not have issued', async () => {
    const first = await query('{ ledgers(first: 1) { pageInfo { endCursor } nodes { id accounts(first: 1) { pageInfo { endCursor } } } } }');
    const data = first.body.data as { ledgers: { pageInfo: { endCursor: string }; nodes: Array<{ id: string; accounts: { pageInfo: { endCursor: string } } }> } };
    const ledgerCursor = data.ledgers.pageInfo.endCursor;
    const accountCursor = data.ledgers.nodes[0]!.accounts.pageInfo.endCursor;
    const garbage = ['', 'x', '====', 'A'.repeat(5000), Buffer.from('{"k":"formance-demo"}').toString('base64url'), `${ledgerCursor}x`, '💥', '\u0000', ledgerCursor.split('').reverse().join('')];
    for (const cursor of [...garbage, accountCursor]) {
      const outcome = await query('query($c: String) { ledgers(first: 2, after: $c) { nodes { name } } }', { c: cursor });
      expect(outcome.body.errors?.[0]?.extensions?.code, cursor.slice(0, 40)).toBe('BAD_USER_INPUT');
      expect(outcome.upstream).toBe(0);
    }
    const ids = [
      ...garbage,
      Buffer.from('["Ledger"]').toString('base64url'),
      Buffer.from('["Ledger","no-such-source","x"]').toString('base64url'),
      Buffer.from('["Spaceship","formance-demo","x"]').toString('base64url'),
      Buffer.from('["Account","formance-demo",{"$ne":null}]').toString('base64url'),
      Buffer.from('[1,2,3]').toString('base64url'),
    ];
    for (const id of ids) {
      const outcome = await query('query($id: ID!) { node(id: $id) { id } account(id: $id) { id } }', { id });
      expect(outcome.body.data, id.slice(0, 40)).toEqual({ node: null, account: null });
      for (const error of outcome.body.errors ?? []) expect(['BAD_USER_INPUT', 'NOT_FOUND']).toContain(error.extensions?.code);
      expect(outcome.upstream, id.slice(0, 40)).toBe(0);
    }
    await stillServing();
  });

  it('fuzzed operations built from the schema never crash, never give an internal error, and refused ones reach no vendor', async () => {
    // Real IDs to aim at, and a generator that follows the schema's own types and arguments,
    // with noise: unknown fields, wrong argument types, hostile values.
    const sample = await query('{ ledgers(first: 20) { nodes { id accounts(first: 2) { nodes { id balances { id } } } } } }');
    const ledgers = (sample.body.data as { ledgers: { nodes: Array<{ id: string; accounts: { nodes: Array<{ id: string; balances: Array<{ id: string }> }> } | null }> } }).ledgers.nodes;
    const realIds = ledgers.flatMap((ledger) => [ledger.id, ...(ledger.accounts?.nodes ?? []).flatMap((account) => [account.id, ...account.balances.map((balance) => balance.id)])]);
    const schema = createSchema();
    const hostileString = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('', '💥', '\u0000', 'users:', '../../etc', '%00', 'A'.repeat(300)));
    const valueFor = (type: GraphQLInputType): fc.Arbitrary<string> => {
      const named = getNamedType(type);
      const base: fc.Arbitrary<string> =
        named.name === 'ID'
          ? fc.oneof(fc.constantFrom(...realIds), hostileString).map((value) => JSON.stringify(value))
          : named.name === 'Int'
            ? fc.oneof(fc.integer({ min: -3, max: 120 }), fc.constantFrom(2 ** 31, -(2 ** 40))).map(String)
            : named.name === 'DateTime'
              ? fc.constantFrom('"2026-01-01T00:00:00Z"', '"2026-11-01T00:00:00Z"', '"2999-01-01T00:00:00Z"', '"not a date"', '"2026-02-30T00:00:00Z"')
              : named.name === 'String'
                ? fc.oneof(fc.constantFrom('"USD"', '"EUR"', '"BTC"'), hostileString.map((value) => JSON.stringify(value)))
                : isEnumType(named)
                  ? fc.constantFrom(...named.getValues().map((value) => value.name), 'NOT_A_VALUE')
                  : isInputObjectType(named)
                    ? fc.constantFrom(...Object.keys(named.getFields())).chain((key) => valueFor(named.getFields()[key]!.type).map((value) => `{ ${key}: ${value} }`))
                    : fc.constant('true');
      return isListType(isNonNullType(type) ? type.ofType : type) ? fc.array(base, { maxLength: 4 }).map((items) => `[${items.join(', ')}]`) : base;
    };
    const selectionOf = (type: GraphQLObjectType | GraphQLInterfaceType, depth: number): fc.Arbitrary<string> => {
      const fields = Object.values(type.getFields());
      const field = fc.constantFrom(...fields).chain((definition) => {
        const args = fc.tuple(
          ...definition.args.map((arg) =>
            isNonNullType(arg.type) ? valueFor(arg.type).map((value) => `${arg.name}: ${value}`) : fc.option(valueFor(arg.type).map((value) => `${arg.name}: ${value}`), { nil: undefined }),
          ),
        ).map((parts) => parts.filter((part): part is string => part !== undefined));
        const named = getNamedType(definition.type);
        const children = isObjectType(named) || isInterfaceType(named) ? (depth > 0 ? selectionOf(named, depth - 1).map((inner) => ` { ${inner} }`) : fc.constant(' { __typename }')) : fc.constant('');
        return fc.tuple(args, children).map(([list, inner]) => `${definition.name}${list.length ? `(${list.join(', ')})` : ''}${inner}`);
      });
      const noisy = fc.oneof({ weight: 9, arbitrary: field }, { weight: 1, arbitrary: fc.constantFrom('bogus', 'name(first: "x")', '__schema { types { name } }', '... on Ledger { name }') });
      return fc.array(noisy, { minLength: 1, maxLength: 3 }).map((parts) => parts.join(' '));
    };
    const operation = fc.oneof(
      { weight: 4, arbitrary: selectionOf(schema.getQueryType()!, 4).map((inner) => `{ ${inner} }`) },
      { weight: 1, arbitrary: selectionOf(schema.getMutationType()!, 1).map((inner) => `mutation { ${inner} }`) },
      { weight: 1, arbitrary: fc.tuple(selectionOf(schema.getQueryType()!, 3), fc.string({ maxLength: 4 })).map(([inner, noise]) => `{ ${inner} ${noise}`) },
    );
    const seen = { executed: 0, refused: 0 };
    await fc.assert(
      fc.asyncProperty(operation, async (text) => {
        const outcome = await query(text);
        if (outcome.body.data) seen.executed += 1;
        else seen.refused += 1;
      }),
      { numRuns: 200 },
    );
    // The fuzzer reaches execution too, not only the parser and validation.
    expect(seen.executed).toBeGreaterThan(10);
    expect(seen.refused).toBeGreaterThan(10);
    await stillServing();
  });
});
