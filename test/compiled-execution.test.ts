import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  COMPILE_AT_RUN,
  MAX_COMPILED_DOCUMENTS,
  MAX_COMPILED_FIELDS,
  MAX_COMPILED_FIELDS_PER_DOCUMENT,
} from '../src/plugins/compiled-execution.ts';
import { ALL_FIVE, BALANCES, BY_ID, NESTED } from '../bench/scenarios.ts';
import { startTestGateway, type GraphQLResponse, type TestGateway } from './helpers/gateway.ts';

type Line = Record<string, unknown>;

/** How each run of `query` went, by the access lines it wrote: `compiled` or `interpreted`. */
async function runs(t: TestGateway, times: number, query: string, variables?: Record<string, unknown>) {
  const answers: GraphQLResponse[] = [];
  const executions: unknown[] = [];
  for (let run = 0; run < times; run += 1) {
    const from = t.logs.length;
    answers.push(await t.query(query, variables));
    const access = t.logs
      .slice(from)
      .map((line) => JSON.parse(line) as Line)
      .filter((line) => line.msg === 'access');
    expect(access).toHaveLength(1);
    executions.push(access[0]!.execution);
  }
  return { answers, executions };
}

/** A query of `spreads` × 13 fields (a fragment spread again and again), under its own operation name. */
const wide = (name: string, spreads: number) =>
  `query ${name}($id: ID!) { ledger(id: $id) { balances(first: 2) { nodes { ${'...B '.repeat(spreads)}} } } }
   fragment B on Balance { id asset updatedAt total { amount minorUnits scale asset } available { amount minorUnits scale asset } }`;

describe('compiled execution (graphql-jit)', () => {
  let t: TestGateway;
  let ledgerId: string;
  let accountIds: string[];
  beforeAll(async () => {
    t = await startTestGateway();
    const { body } = await t.query<{
      ledgers: { nodes: Array<{ id: string; source: { kind: string }; accounts: { nodes: Array<{ id: string }> } }> };
    }>('{ ledgers(first: 50) { nodes { id source { kind } accounts(first: 5) { nodes { id } } } } }');
    const blnk = body.data!.ledgers.nodes.find(
      (ledger) => ledger.source.kind === 'BLNK' && ledger.accounts.nodes.length,
    )!;
    ledgerId = blnk.id;
    accountIds = blnk.accounts.nodes.map((account) => account.id);
  });
  afterAll(() => t?.close());

  // Each query runs interpreted first, then compiled: the answers must be the same, byte for byte.
  const corpus: Array<[string, string, () => Record<string, unknown> | undefined]> = [
    ['the list of balances', BALANCES, () => ({ id: ledgerId })],
    ['balances by id', BY_ID, () => ({ ids: accountIds })],
    ['a ledger → accounts → balances', NESTED, () => ({ id: ledgerId })],
    ['all five sources', ALL_FIVE, () => undefined],
    [
      'aliases, fragments, __typename and node(id)',
      `query($id: ID!) { a: node(id: $id) { __typename id ...L } b: ledger(id: $id) { ... on Ledger { name } } }
       fragment L on Ledger { name source { name kind } }`,
      () => ({ id: ledgerId }),
    ],
    // A malformed id fails at once, before the account's vendor answer: each item keeps its index.
    ['nodes(ids) whose later item fails first', BY_ID, () => ({ ids: [accountIds[0], 'not-an-id', accountIds[1]] })],
    // Errors keep their locations, counted over \r\n line ends as graphql-js counts them.
    [
      'an error on the second line',
      'query {\r\n  ledger(id: "not-an-id") { name }\r\n  sources { name } }',
      () => undefined,
    ],
    ['variables of the wrong type', BALANCES, () => ({ id: 12 })],
    // Variable coercion is graphql-jit's own code: its refusals must read as graphql-js's.
    ...(
      [
        ['an Int past 2^31', { n: 2 ** 31 }],
        ['a fractional Int', { n: 1.5 }],
        ['a string for an Int', { n: '3' }],
        ['null for a non-null variable', { n: null }],
        ['a missing variable', {}],
      ] as const
    ).map(([what, values]): [string, string, () => Record<string, unknown>] => [
      `variables: ${what}`,
      'query($id: ID!, $n: Int!) { ledger(id: $id) { balances(first: $n) { nodes { asset } } } }',
      () => ({ id: ledgerId, ...values }),
    ]),
    [
      'paging backward, an enum argument left to its default, DateTime variables',
      `query($id: ID!, $account: ID!, $from: DateTime!, $to: DateTime!) {
         ledger(id: $id) { balances(last: 2) { edges { cursor node { asset } } pageInfo { hasPreviousPage startCursor } } }
         account(id: $account) { balances(asset: "USD") { asset } h: history(asset: "USD", from: $from, to: $to) { nodes { at } } } }`,
      () => ({ id: ledgerId, account: accountIds[0], from: '2026-01-01T00:00:00Z', to: '2026-01-03T00:00:00Z' }),
    ],
    // A single value where a list is expected is a list of one (input coercion).
    ['one id where a list is expected', BY_ID, () => ({ ids: accountIds[0] })],
    [
      '@include and @skip on variables',
      `query($id: ID!, $yes: Boolean!, $no: Boolean!) { ledger(id: $id) { name @include(if: $yes) id @skip(if: $yes)
         balances(first: 3) { nodes { asset total @include(if: $no) { amount } available @skip(if: $no) { amount } } } } }`,
      () => ({ id: ledgerId, yes: true, no: false }),
    ],
    // Aliases that name Object.prototype's members: compiled code builds its objects from them.
    [
      'aliases such as constructor and toString',
      '{ constructor: sources { kind } toString: sources { name } hasOwnProperty: __typename }',
      () => undefined,
    ],
    [
      'a variable named __proto__',
      'query($__proto__: ID!, $constructor: ID!) { a: ledger(id: $__proto__) { name } b: ledger(id: $constructor) { name } }',
      () => JSON.parse(`{"__proto__": ${JSON.stringify(ledgerId)}, "constructor": ${JSON.stringify(ledgerId)}}`),
    ],
    // GraphiQL and graphql-codegen send this one on every load.
    ['the introspection query', getIntrospectionQuery({ descriptions: true }), () => undefined],
  ];
  for (const [index, [name, query, variables]] of corpus.entries()) {
    it(`${name}: compiled from run ${COMPILE_AT_RUN}, the same answer`, async () => {
      // A text of its own (a comment apart), so no earlier case has compiled its document already.
      const { answers, executions } = await runs(t, 3, `${query}\n# case ${index}`, variables());
      expect(answers[1]!.text).toBe(answers[0]!.text);
      expect(answers[2]!.text).toBe(answers[0]!.text);
      expect(executions).toEqual(['interpreted', 'compiled', 'compiled']);
    });
  }

  it('keeps every item of nodes(ids) where its id was, the failed one null with its error', async () => {
    const { answers } = await runs(t, 2, BY_ID, { ids: [accountIds[0], 'not-an-id'] });
    for (const { body } of answers) {
      expect((body.data as { nodes: unknown[] }).nodes).toEqual([
        expect.objectContaining({ address: expect.any(String) }),
        null,
      ]);
      expect(body.errors).toEqual([
        expect.objectContaining({
          path: ['nodes', 1],
          locations: [{ line: 1, column: 23 }],
          extensions: expect.objectContaining({ code: 'BAD_USER_INPUT' }),
        }),
      ]);
    }
  });

  it('runs a document with a field answered as __proto__ interpreted, and answers that field', async () => {
    const { answers, executions } = await runs(t, 3, '{ sources { __proto__: name } __proto__: sources { kind } }');
    expect(answers[2]!.text).toBe(answers[0]!.text);
    expect(answers[0]!.text).toContain('"__proto__":[{"kind":"FORMANCE"}');
    expect(executions).toEqual(['interpreted', 'interpreted', 'interpreted']);
  });

  it('runs mutations interpreted', async () => {
    const { answers, executions } = await runs(t, 3, 'mutation($input: TopUpInput!) { topUp(input: $input) { trx } }', {
      input: { source: 'no-such-source', trx: 'x' },
    });
    expect(answers[0]!.body.errors).toHaveLength(1);
    expect(executions).toEqual(['interpreted', 'interpreted', 'interpreted']);
  });

  it(`runs a document of more than ${MAX_COMPILED_FIELDS_PER_DOCUMENT} fields interpreted`, async () => {
    const spreads = Math.ceil((MAX_COMPILED_FIELDS_PER_DOCUMENT + 1) / 13);
    const { answers, executions } = await runs(t, 3, wide('Wide', spreads), { id: ledgerId });
    expect(answers[0]!.body.errors).toBeUndefined();
    expect(executions).toEqual(['interpreted', 'interpreted', 'interpreted']);
  });

  it(`keeps at most ${MAX_COMPILED_FIELDS} fields compiled, and never compiles a dropped document again`, async () => {
    const spreads = Math.floor(MAX_COMPILED_FIELDS_PER_DOCUMENT / 13) - 1; // 29 × 13 + 3 = 380 fields
    const count = Math.floor(MAX_COMPILED_FIELDS / (spreads * 13 + 3)) + 1; // one more than fit
    for (let index = 0; index < count; index += 1) {
      const { executions } = await runs(t, 2, wide(`Many${index}`, spreads), { id: ledgerId });
      expect(executions).toEqual(['interpreted', 'compiled']);
    }
    // The first was dropped to make room for the last; the second is still held.
    expect((await runs(t, 1, wide('Many0', spreads), { id: ledgerId })).executions).toEqual(['interpreted']);
    expect((await runs(t, 1, wide('Many1', spreads), { id: ledgerId })).executions).toEqual(['compiled']);
  });

  it(`keeps at most ${MAX_COMPILED_DOCUMENTS} documents compiled, however small`, async () => {
    const tiny = (index: number) => `query Tiny${index} { sources { name } }`;
    for (let index = 0; index <= MAX_COMPILED_DOCUMENTS; index += 1)
      expect((await runs(t, 2, tiny(index))).executions).toEqual(['interpreted', 'compiled']);
    expect((await runs(t, 1, tiny(0))).executions).toEqual(['interpreted']);
    expect((await runs(t, 1, tiny(1))).executions).toEqual(['compiled']);
  });

  it('drops the document run least recently, not the one compiled first', async () => {
    const recent = (index: number) => `query Recent${index} { sources { kind } }`;
    for (let index = 0; index < MAX_COMPILED_DOCUMENTS; index += 1)
      expect((await runs(t, 2, recent(index))).executions).toEqual(['interpreted', 'compiled']);
    // Run twice: once to the end of the run order, once more while already there.
    expect((await runs(t, 2, recent(0))).executions).toEqual(['compiled', 'compiled']);
    expect((await runs(t, 2, recent(MAX_COMPILED_DOCUMENTS))).executions).toEqual(['interpreted', 'compiled']);
    expect((await runs(t, 1, recent(1))).executions).toEqual(['interpreted']);
    expect((await runs(t, 1, recent(0))).executions).toEqual(['compiled']);
  });
});

describe('compiled execution off (server.compiledExecution: false)', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ server: { compiledExecution: false } });
  });
  afterAll(() => t?.close());

  it('interprets every run', async () => {
    const { executions } = await runs(t, 3, ALL_FIVE);
    expect(executions).toEqual(['interpreted', 'interpreted', 'interpreted']);
  });
});
