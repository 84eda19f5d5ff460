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
import { bracketNesting } from '../src/limits/bracket-nesting.ts';
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
  /** Whether the last request may have left vendor calls behind (it executed). */
  let unsettled = false;
  /** Sends raw bytes over a real socket and checks what every answer must be. */
  const send = async (body: string | Uint8Array<ArrayBuffer>, contentType = 'application/json'): Promise<Outcome> => {
    // A merged list reads later sources speculatively; such a read can outlive the answer that
    // did not need it. Let earlier requests' vendor calls finish before counting this one's (a
    // request refused before execution leaves none behind).
    await t.resetUpstream({ settle: unsettled });
    const response = await fetch(url, { method: 'POST', headers: { 'content-type': contentType }, body });
    const text = await response.text();
    let parsed: Outcome['body'];
    try {
      parsed = JSON.parse(text);
    } catch {
      throw new Error(`not JSON (HTTP ${response.status}): ${text.slice(0, 200)}`);
    }
    const outcome = { status: response.status, body: parsed, upstream: totalUpstream() };
    unsettled = outcome.upstream > 0 || (parsed !== null && typeof parsed === 'object' && 'data' in parsed);
    expect([200, 400, 403, 413, 415]).toContain(outcome.status);
    for (const error of parsed.errors ?? []) {
      expect(error.extensions?.code, error.message).toBeTypeOf('string');
      expect(error.extensions?.code, error.message).not.toBe('INTERNAL_SERVER_ERROR');
    }
    // Refused as a request (no `data` entry at all: parsing, validation, limits): nothing may have
    // been asked of a vendor. Not `"data": null`, which is an executed operation whose non-null
    // root field failed while a sibling may have read vendors (the fuzzer found
    // `{ sources { ledgers { totalCount } } ledgers(after: "a", before: "b") { … } }`).
    if (!('data' in parsed)) expect(outcome.upstream).toBe(0);
    return outcome;
  };
  const query = (text: string, variables?: unknown) => send(JSON.stringify({ query: text, variables }));
  const stillServing = async () => {
    const outcome = await query('{ sources { name } }');
    expect((outcome.body.data as { sources: unknown[] }).sources).toHaveLength(5);
  };

  const codeOf = (outcome: Outcome) => outcome.body.errors?.[0]?.extensions?.code;
  const limitOf = (outcome: Outcome) => (outcome.body.errors?.[0]?.extensions as { limit?: string } | undefined)?.limit;
  const bytes = (...parts: Array<string | number[]>) =>
    new Uint8Array(
      Buffer.concat(parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : Buffer.from(part)))),
    );

  it('malformed documents and bodies', async () => {
    const cases: Array<[string | Uint8Array<ArrayBuffer>, string?]> = [
      // Unclosed braces, in the body's JSON and in the document.
      ['{"query":"{ sources { name }'],
      ['{"query":"{ sources { name "}'],
      ['{"query":"{ sources { name } "}'],
      // JSON that is not an object.
      ['[1, 2, 3]'],
      ['"just a string"'],
      ['null'],
      ['42'],
      // Fields of the wrong type.
      ['{"query": 42}'],
      ['{"query": null}'],
      ['{"query": ["{ sources { name } }"]}'],
      ['{"query": "{ sources { name } }", "variables": "not an object"}'],
      ['{"query": "{ sources { name } }", "variables": [1]}'],
      ['{"query": "{ sources { name } }", "operationName": 5}'],
      ['{"query": "{ sources { name } }", "extensions": 7}'],
      // An operationName the document does not hold, and several operations without one.
      ['{"query": "query A { sources { name } } query B { sources { kind } }", "operationName": "C"}'],
      ['{"query": "query A { sources { name } } query B { sources { kind } }"}'],
      // Documents with nothing to run.
      ['{"query": ""}'],
      ['{"query": "   # only a comment"}'],
      ['{"query": "fragment F on Query { sources { name } }"}'],
      // Invalid UTF-8: in the JSON itself, and inside the query string of otherwise valid JSON.
      [bytes([0x7b, 0x22, 0x71, 0xff, 0xfe, 0x22, 0x3a, 0x22, 0x7d])],
      [bytes('{"query":"{ sources { name ', [0xff, 0xfe, 0xc3], ' } }"}')],
      [bytes('{"query":"{ sources { na', [0xed, 0xa0, 0x80], 'me } }"}')],
      ['{"query": "{ sources { name \\u0000 } }"}'],
      // Not JSON, or not a content type the gateway reads.
      ['query=%7B%7D', 'application/x-www-form-urlencoded'],
      ['{ sources { name } }', 'text/plain'],
      ['', 'application/json'],
    ];
    for (const [body, type] of cases) {
      const outcome = await send(body, type);
      expect(outcome.body.errors?.length ?? 0, String(body)).toBeGreaterThan(0);
      expect(outcome.upstream, String(body)).toBe(0);
    }
    await stillServing();
  });

  it('random bytes and random text as a body or a document', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }).map((body) => new Uint8Array(body)),
          fc.string({ maxLength: 200 }),
        ),
        async (body) => {
          const outcome = await send(body);
          expect(outcome.body.errors?.length ?? 0).toBeGreaterThan(0);
        },
      ),
      { numRuns: 60 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 120, unit: fc.constantFrom(...'{}()[]:$@!.,"#\\ \n\tabc123'.split('')) }),
        async (document) => {
          await query(document);
        },
      ),
      { numRuns: 100 },
    );
    await stillServing();
  });

  it('oversized and deeply nested documents', async () => {
    // 10,000 levels would overflow graphql-js's recursive parser: the brackets are measured first.
    const deep = `${'{ a '.repeat(10_000)}${'}'.repeat(10_000)}`;
    expect([codeOf(await query(deep)), limitOf(await query(deep))]).toEqual(['LIMIT_EXCEEDED', 'depth']);
    expect(limitOf(await query('{ a '.repeat(10_000)))).toBe('depth'); // never closed
    expect(limitOf(await query(`{ ledgers(first: ${'['.repeat(10_000)}`))).toBe('depth');
    expect(limitOf(await query(`query(${'$a: ['.repeat(5000)}`))).toBe('depth');
    // Ways to hide nesting from a naive scan (both once answered 500, a stack overflow): a block
    // string's escaped \""" that is not its end, a comment ended by \r alone, stray closers first.
    const hidden = '{ a(s: """\\""" }}}}}}}}}} \\""" """) }'.replace('}}}}}}}}}}', '}'.repeat(3000));
    expect(limitOf(await query(`${hidden} ${'{ a '.repeat(3000)}`))).toBe('depth');
    expect(limitOf(await query(`# comment\r${'{ a '.repeat(3000)}`))).toBe('depth');
    expect(limitOf(await query(`${'}'.repeat(3000)} ${'{ a '.repeat(3000)}`))).toBe('depth');
    // The scan itself sees them (the parser's overflow is also caught, so the answers above alone would not tell).
    for (const text of [
      `${hidden} ${'{ a '.repeat(100)}`,
      `# comment\r${'{ a '.repeat(100)}`,
      `${'}'.repeat(100)} ${'{ a '.repeat(100)}`,
    ])
      expect(bracketNesting(text, 40)).toBeGreaterThan(40);
    const deepField = `{ ledgers(first: 1) { nodes { ${'accounts(first: 1) { nodes { ledger { '.repeat(12)} name ${'} } }'.repeat(12)} } } }`;
    expect((await query(deepField)).body.errors?.[0]?.extensions).toEqual({ code: 'LIMIT_EXCEEDED', limit: 'depth' });
    const deepList = `query { ledgers(first: 1, after: ${'['.repeat(5000)}${']'.repeat(5000)}) { nodes { name } } }`;
    expect((await query(deepList)).body.errors?.[0]?.extensions).toEqual({ code: 'LIMIT_EXCEEDED', limit: 'depth' });
    // Brackets inside strings and comments are not nesting: a long string argument is fine.
    const inString = await query(
      `query($c: String = "${'{'.repeat(5000)}") { ledgers(first: 1, after: $c) { nodes { name } } }`,
    );
    expect(codeOf(inString)).toBe('BAD_USER_INPUT');
    // Wide: many aliases, many tokens, many directives, one field many times over.
    const wide = `{ ${Array.from({ length: 3000 }, (_, index) => `a${index}: sources { name }`).join(' ')} }`;
    expect(limitOf(await query(wide))).toBe('tokens');
    expect(
      limitOf(await query(`{ ${Array.from({ length: 100 }, (_, index) => `a${index}: __typename`).join(' ')} }`)),
    ).toBe('aliases');
    expect(limitOf(await query(`{ sources { ${'name @include(if: true) '.repeat(50)}} }`))).toBe('directives');
    expect(limitOf(await query(`{ sources { ${'name '.repeat(6000)}} }`))).toBe('tokens');
    expect((await query(`{ sources { ${'name '.repeat(1500)}} }`)).status).toBeLessThan(500);
    await stillServing();
  });

  it('fragment bombs: long chains, 2^30 spread paths and cycles neither hang nor crash', async () => {
    const chain = `{ ...F0 } ${Array.from({ length: 40 }, (_, index) => `fragment F${index} on Query { sources { name } ...F${index + 1} }`).join(' ')} fragment F40 on Query { sources { name } }`;
    expect((await query(chain)).status).toBeLessThan(500);
    const doubling = (leaf: string) =>
      `{ ...F0 } ${Array.from({ length: 30 }, (_, index) => `fragment F${index} on Query { ...F${index + 1} ...F${index + 1} }`).join(' ')} fragment F30 on Query { ${leaf} }`;
    const started = performance.now();
    expect((await query(doubling('__typename'))).body.data).toEqual({ __typename: 'Query' });
    expect(limitOf(await query(doubling('sources { name }')))).toBe('cost');
    expect(limitOf(await query(doubling('a: __typename')))).toBe('aliases');
    expect(limitOf(await query(doubling('node(id: "x") { id }')))).toBe('ids');
    expect(performance.now() - started).toBeLessThan(3000);
    for (const cycle of [
      '{ ...A } fragment A on Query { ...B } fragment B on Query { ...A }',
      '{ ...A } fragment A on Query { ...A }',
      '{ ledgers { nodes { ...L } } } fragment L on Ledger { source { ledgers { nodes { ...L } } } }',
    ]) {
      expect(codeOf(await query(cycle)), cycle).toBe('GRAPHQL_VALIDATION_FAILED');
    }
    await stillServing();
  });

  it('huge variables: past the body limit, 413 before anything is parsed', async () => {
    const megabyte = await query('query($a: String) { ledgers(first: 1, after: $a) { nodes { name } } }', {
      a: 'x'.repeat(1024 * 1024),
    });
    expect([megabyte.status, megabyte.body.errors?.[0]?.extensions]).toEqual([
      413,
      { code: 'LIMIT_EXCEEDED', limit: 'bodySize' },
    ]);
    const list = await query('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', {
      ids: Array.from({ length: 100_000 }, (_, index) => String(index)),
    });
    expect([list.status, limitOf(list)]).toEqual([413, 'bodySize']);
    const wrongType = await query('query($n: Int) { ledgers(first: $n) { nodes { name } } }', { n: 'many' });
    expect(codeOf(wrongType)).toBe('BAD_USER_INPUT');
    const nested = await query('query($n: Int) { ledgers(first: $n) { nodes { name } } }', { n: { $gt: 1 } });
    expect(codeOf(nested)).toBe('BAD_USER_INPUT');
    // Written by hand: JSON.stringify itself recurses, and this is 10,000 levels deep.
    const deepJson = await send(
      `{"query":"query($ids: [ID!]!) { nodes(ids: $ids) { id } }","variables":{"ids":${'['.repeat(10_000)}${']'.repeat(10_000)}}}`,
    );
    expect(codeOf(deepJson)).toBe('BAD_USER_INPUT');
    const unknownField = await query(
      'query($f: AccountFilter) { ledgers(first: 1) { nodes { accounts(first: 1, filter: $f) { nodes { id } } } } }',
      { f: { address: 'users:', $where: 'sleep(1000)' } },
    );
    expect(codeOf(unknownField)).toBe('BAD_USER_INPUT');
    await stillServing();
  });

  it('hostile cursors and IDs: refused as BAD_USER_INPUT (or not found), no vendor reached for what this gateway could not have issued', async () => {
    const first = await query(
      '{ ledgers(first: 1) { pageInfo { endCursor } nodes { id accounts(first: 1) { pageInfo { endCursor } } } } }',
    );
    const data = first.body.data as {
      ledgers: {
        pageInfo: { endCursor: string };
        nodes: Array<{ id: string; accounts: { pageInfo: { endCursor: string } } }>;
      };
    };
    const ledgerCursor = data.ledgers.pageInfo.endCursor;
    const accountCursor = data.ledgers.nodes[0]!.accounts.pageInfo.endCursor;
    const [payload, mac] = ledgerCursor.split('.') as [string, string];
    const garbage = [
      '',
      'x',
      '====',
      'A'.repeat(5000),
      Buffer.from('{"k":"formance-demo"}').toString('base64url'),
      `${ledgerCursor}x`,
      '💥',
      '\u0000',
      ledgerCursor.split('').reverse().join(''),
    ];
    const tampered = [
      // A valid-looking cursor: another position under the real signature, and the real position under another.
      `${Buffer.from(JSON.stringify({ offset: 0 })).toString('base64url')}.${mac}`,
      `${payload}.${Buffer.alloc(16, 7).toString('base64url')}`,
      `${payload.slice(0, -1)}${payload.endsWith('A') ? 'B' : 'A'}.${mac}`,
      `${payload}.${mac}.${mac}`,
      // A cursor from another field (an account page's) on the ledgers field.
      accountCursor,
    ];
    for (const cursor of [...garbage, ...tampered]) {
      const outcome = await query('query($c: String) { ledgers(first: 2, after: $c) { nodes { name } } }', {
        c: cursor,
      });
      expect(outcome.body.errors?.[0]?.extensions?.code, cursor.slice(0, 40)).toBe('BAD_USER_INPUT');
      expect(outcome.upstream).toBe(0);
    }
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(fc.base64String({ maxLength: 60 }), fc.base64String({ maxLength: 30 })),
        async ([left, right]) => {
          const cursor = `${left.replace(/=+$/, '')}.${right.replace(/=+$/, '')}`
            .replaceAll('+', '-')
            .replaceAll('/', '_');
          const outcome = await query('query($c: String) { ledgers(last: 2, before: $c) { nodes { name } } }', {
            c: cursor,
          });
          expect(outcome.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
          expect(outcome.upstream).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
    const id = (...parts: unknown[]) => Buffer.from(JSON.stringify(parts)).toString('base64url');
    const ids = [
      ...garbage,
      id('Ledger'),
      id('Ledger', 'no-such-source', 'x'),
      id('Spaceship', 'formance-demo', 'x'),
      id('Account', 'formance-demo', { $ne: null }),
      id('Account', 'formance-demo', 'default', 'users:001', 'extra'),
      Buffer.from('[1,2,3]').toString('base64url'),
      Buffer.from('["Ledger", "formance-demo", "default"]').toString('base64url'), // another spelling of a real ID
      'A'.repeat(3000),
    ];
    for (const hostile of ids) {
      const outcome = await query('query($id: ID!) { node(id: $id) { id } account(id: $id) { id } }', { id: hostile });
      expect(outcome.body.data, hostile.slice(0, 40)).toEqual({ node: null, account: null });
      for (const error of outcome.body.errors ?? [])
        expect(['BAD_USER_INPUT', 'NOT_FOUND']).toContain(error.extensions?.code);
      expect(outcome.upstream, hostile.slice(0, 40)).toBe(0);
    }
    // Well-formed IDs naming a real source but a ledger it does not have: valid enough that the
    // gateway must ask the vendor (only the vendor knows), which answers not found.
    for (const unknown of [id('Ledger', 'formance-demo', 'no-such-ledger'), id('Ledger', 'blnk-demo', '../../admin')]) {
      const outcome = await query('query($id: ID!) { ledger(id: $id) { id name } }', { id: unknown });
      expect(outcome.body.data).toEqual({ ledger: null });
      for (const error of outcome.body.errors ?? [])
        expect(['NOT_FOUND', 'BAD_USER_INPUT']).toContain(error.extensions?.code);
    }
    await stillServing();
  });

  it('fuzzed operations built from the schema never crash, never give an internal error, and refused ones reach no vendor', async () => {
    // Real IDs to aim at, and a generator that follows the schema's own types and arguments,
    // with noise: unknown fields, wrong argument types, hostile values.
    const sample = await query(
      '{ ledgers(first: 20) { nodes { id accounts(first: 2) { nodes { id balances { id } } } } } }',
    );
    const ledgers = (
      sample.body.data as {
        ledgers: {
          nodes: Array<{
            id: string;
            accounts: { nodes: Array<{ id: string; balances: Array<{ id: string }> }> } | null;
          }>;
        };
      }
    ).ledgers.nodes;
    const realIds = ledgers.flatMap((ledger) => [
      ledger.id,
      ...(ledger.accounts?.nodes ?? []).flatMap((account) => [
        account.id,
        ...account.balances.map((balance) => balance.id),
      ]),
    ]);
    const schema = createSchema();
    const hostileString = fc.oneof(
      fc.string({ maxLength: 20 }),
      fc.constantFrom('', '💥', '\u0000', 'users:', '../../etc', '%00', 'A'.repeat(300)),
    );
    const valueFor = (type: GraphQLInputType): fc.Arbitrary<string> => {
      const named = getNamedType(type);
      const base: fc.Arbitrary<string> =
        named.name === 'ID'
          ? fc.oneof(fc.constantFrom(...realIds), hostileString).map((value) => JSON.stringify(value))
          : named.name === 'Int'
            ? fc.oneof(fc.integer({ min: -3, max: 120 }), fc.constantFrom(2 ** 31, -(2 ** 40))).map(String)
            : named.name === 'DateTime'
              ? fc.constantFrom(
                  '"2026-01-01T00:00:00Z"',
                  '"2026-11-01T00:00:00Z"',
                  '"2999-01-01T00:00:00Z"',
                  '"not a date"',
                  '"2026-02-30T00:00:00Z"',
                )
              : named.name === 'String'
                ? fc.oneof(
                    fc.constantFrom('"USD"', '"EUR"', '"BTC"'),
                    hostileString.map((value) => JSON.stringify(value)),
                  )
                : isEnumType(named)
                  ? fc.constantFrom(...named.getValues().map((value) => value.name), 'NOT_A_VALUE')
                  : isInputObjectType(named)
                    ? fc
                        .constantFrom(...Object.keys(named.getFields()))
                        .chain((key) => valueFor(named.getFields()[key]!.type).map((value) => `{ ${key}: ${value} }`))
                    : fc.constant('true');
      return isListType(isNonNullType(type) ? type.ofType : type)
        ? fc.array(base, { maxLength: 4 }).map((items) => `[${items.join(', ')}]`)
        : base;
    };
    const selectionOf = (type: GraphQLObjectType | GraphQLInterfaceType, depth: number): fc.Arbitrary<string> => {
      const fields = Object.values(type.getFields());
      const field = fc.constantFrom(...fields).chain((definition) => {
        const args = fc
          .tuple(
            ...definition.args.map((arg) =>
              isNonNullType(arg.type)
                ? valueFor(arg.type).map((value) => `${arg.name}: ${value}`)
                : fc.option(
                    valueFor(arg.type).map((value) => `${arg.name}: ${value}`),
                    { nil: undefined },
                  ),
            ),
          )
          .map((parts) => parts.filter((part): part is string => part !== undefined));
        const named = getNamedType(definition.type);
        const children =
          isObjectType(named) || isInterfaceType(named)
            ? depth > 0
              ? selectionOf(named, depth - 1).map((inner) => ` { ${inner} }`)
              : fc.constant(' { __typename }')
            : fc.constant('');
        return fc
          .tuple(args, children)
          .map(([list, inner]) => `${definition.name}${list.length ? `(${list.join(', ')})` : ''}${inner}`);
      });
      const noisy = fc.oneof(
        { weight: 9, arbitrary: field },
        {
          weight: 1,
          arbitrary: fc.constantFrom(
            'bogus',
            'name(first: "x")',
            '__schema { types { name } }',
            '... on Ledger { name }',
          ),
        },
      );
      return fc.array(noisy, { minLength: 1, maxLength: 3 }).map((parts) => parts.join(' '));
    };
    const operation = fc.oneof(
      { weight: 4, arbitrary: selectionOf(schema.getQueryType()!, 4).map((inner) => `{ ${inner} }`) },
      { weight: 1, arbitrary: selectionOf(schema.getMutationType()!, 1).map((inner) => `mutation { ${inner} }`) },
      {
        weight: 1,
        arbitrary: fc
          .tuple(selectionOf(schema.getQueryType()!, 3), fc.string({ maxLength: 4 }))
          .map(([inner, noise]) => `{ ${inner} ${noise}`),
      },
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

describe('huge variables within the body limit', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ server: { limits: { maxBodyBytes: 8 * 1024 * 1024 } } });
  });
  afterAll(() => t?.close());

  it('a 1 MB string and a 100,000-item list are refused by the limits that read them, before any vendor', async () => {
    const ask = async (text: string, variables: Record<string, unknown>) => {
      await t.resetUpstream();
      const response = await t.query(text, variables);
      expect(Object.values(t.upstream()).every((count) => count === 0)).toBe(true);
      return response;
    };
    const megabyte = 'x'.repeat(1024 * 1024);
    const asCursor = await ask('query($a: String) { ledgers(first: 1, after: $a) { nodes { name } } }', {
      a: megabyte,
    });
    expect(asCursor.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    const asId = await ask('query($id: ID!) { node(id: $id) { id } }', { id: megabyte });
    expect([asId.body.data, asId.body.errors?.[0]?.extensions?.code]).toEqual([{ node: null }, 'BAD_USER_INPUT']);
    const list = await ask('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', {
      ids: Array.from({ length: 100_000 }, (_, index) => String(index)),
    });
    expect([list.status, list.body.errors?.[0]?.extensions, list.body.errors?.[0]?.message]).toEqual([
      400,
      { code: 'LIMIT_EXCEEDED', limit: 'ids' },
      'the operation asks for 100000 IDs; the limit is 100',
    ]);
    const sources = await t.query<{ sources: unknown[] }>('{ sources { name } }');
    expect(sources.body.data?.sources).toHaveLength(5);
  });
});
