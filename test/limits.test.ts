import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { getIntrospectionQuery, parse, print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { ConfigError } from '../src/errors.ts';
import { DEFAULT_LIMITS, type OperationLimits } from '../src/limits/index.ts';
import { graphiqlTabs } from '../src/plugins/graphiql-page.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

const LIMITS: OperationLimits = {
  maxDepth: 6,
  maxAliases: 3,
  maxTokens: 400,
  maxDirectives: 2,
  maxIds: 5,
  maxPageSize: 50,
  maxBodyBytes: 4096,
  maxCost: 2000,
  maxPagesPerWalk: 10,
  maxUpstreamCalls: 500,
};

/** GraphiQL and graphql-codegen both send graphql-js's introspection query, with these options at most. */
const INTROSPECTION = getIntrospectionQuery({
  descriptions: true,
  specifiedByUrl: true,
  directiveIsRepeatable: true,
  schemaDescription: true,
  inputValueDeprecation: true,
  oneOf: true,
});

describe('operation limits: refused before any vendor call, with LIMIT_EXCEEDED naming the limit', () => {
  let t: TestGateway;
  let url: string;
  beforeAll(async () => {
    t = await startTestGateway({ server: { limits: LIMITS } });
    url = await t.listen();
  });
  afterAll(() => t?.close());

  const nothingCalled = () =>
    expect(t.upstream()).toEqual({ formance: 0, 'ledger-enterprise': 0, midaz: 0, blnk: 0, vonage: 0 });
  /** Asserts the refusal (HTTP 400, no data, no vendor call) and returns its message. */
  const refused = async (query: string, limit: string, variables?: Record<string, unknown>) => {
    await t.resetUpstream();
    const response = await t.query(query, variables);
    expect([response.status, response.body.errors?.length, response.body.errors?.[0]?.extensions]).toEqual([
      400,
      1,
      { code: 'LIMIT_EXCEEDED', limit },
    ]);
    expect(response.body.data ?? null).toBeNull();
    nothingCalled();
    return response.body.errors![0]!.message;
  };
  const accepted = async (query: string, variables?: Record<string, unknown>) => {
    const response = await t.query(query, variables);
    expect(response.body.errors, query).toBeUndefined();
    expect(response.body.data).toBeTruthy();
    return response.body.data as Record<string, unknown>;
  };

  it('upstream counts are real: an accepted operation reaches the vendors', async () => {
    await t.resetUpstream();
    await accepted('{ ledgers(first: 5) { nodes { name } } }');
    expect(Object.values(t.upstream()).reduce((sum, count) => sum + count, 0)).toBeGreaterThan(0);
  });

  describe('depth', () => {
    it('6 levels pass, 7 are refused saying how deep and the limit', async () => {
      await accepted('{ ledgers(first: 1) { nodes { accounts(first: 1) { nodes { balances { asset } } } } } }');
      expect(
        await refused(
          '{ ledgers(first: 1) { nodes { accounts(first: 1) { nodes { balances { total { amount } } } } } } }',
          'depth',
        ),
      ).toBe('the operation nests fields 7 deep; the limit is 6');
    });

    it('follows named fragments, inline fragments and fragments within fragments', async () => {
      await refused(
        'query { ...L } fragment L on Query { ledgers(first: 1) { nodes { accounts(first: 1) { nodes { ledger { source { name } } } } } } }',
        'depth',
      );
      await refused(
        '{ nodes(ids: ["x"]) { ... on Ledger { accounts(first: 1) { nodes { balances { account { ledger { name } } } } } } } }',
        'depth',
      );
      await refused(
        '{ ledgers(first: 1) { ...A } } fragment A on LedgerConnection { nodes { ...B } } fragment B on Ledger { accounts(first: 1) { nodes { ...C } } } fragment C on Account { balances { total { amount } } }',
        'depth',
      );
    });

    it('fragments that spread each other twice over (2^30 paths) are measured in linear time', async () => {
      const doubling = (leaf: string) =>
        `{ ...F0 } ${Array.from({ length: 30 }, (_, index) => `fragment F${index} on Query { ...F${index + 1} ...F${index + 1} }`).join(' ')} fragment F30 on Query { ${leaf} }`;
      const started = performance.now();
      // Regression: the walk followed every path, and this held the event loop for minutes.
      await accepted(doubling('__typename'));
      expect(await refused(doubling('sources { name }'), 'cost')).toMatch(
        /^the operation's estimated cost is 5368709120; the limit is 2000/,
      );
      expect(performance.now() - started).toBeLessThan(2000);
    });
  });

  describe('aliases', () => {
    it('3 pass, 4 are refused; a fragment counts at every spread; __typename counts too', async () => {
      await accepted('{ a: sources { name } b: sources { name } c: sources { name } }');
      expect(
        await refused('{ a: sources { name } b: sources { name } c: sources { name } d: sources { name } }', 'aliases'),
      ).toBe('the operation has 4 aliases; the limit is 3');
      await refused('{ ...S ...S } fragment S on Query { a: sources { name } b: sources { kind } }', 'aliases');
      await refused('{ a: __typename b: __typename c: __typename d: __typename }', 'aliases');
    });
  });

  describe('directives', () => {
    it('2 pass, 3 are refused (on fields, fragments and the operation alike)', async () => {
      await accepted('{ sources { name @include(if: true) kind @skip(if: false) } }');
      expect(
        await refused(
          '{ sources { name @include(if: true) kind @skip(if: false) capabilities @include(if: true) } }',
          'directives',
        ),
      ).toBe('the document uses 3 directives; the limit is 2');
      await refused(
        '{ ... @include(if: true) { sources { name } } ...S @include(if: true) } fragment S on Query { sources @skip(if: false) { kind } }',
        'directives',
      );
    });
  });

  describe('tokens', () => {
    const fields = (count: number) => Array.from({ length: count }, () => 'name').join(' ');

    it('a document over the limit is refused by the parser, as LIMIT_EXCEEDED', async () => {
      await accepted(`{ sources { ${fields(300)} } }`);
      expect(await refused(`{ sources { ${fields(500)} } }`, 'tokens')).toBe(
        'the document has more than 400 tokens; the limit is 400',
      );
    });

    it('a syntax error that quotes a token named "tokens" is still a syntax error', async () => {
      // Regression: any parse error whose message held "tokens" was reported as this limit.
      const response = await t.query('query tokens tokens { sources { name } }');
      expect(response.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
      for (const word of ['that', 'than']) {
        const quoted = await t.query(`{ "Syntax Error: Document contains more ${word} 400 tokens. Parsing aborted." }`);
        expect(quoted.body.errors?.[0]?.extensions?.code).toBe('GRAPHQL_PARSE_FAILED');
      }
    });

    it('answers 400 whatever the client accepts (yoga would answer a parser error 200 under application/json)', async () => {
      for (const accept of ['application/json', '*/*', 'application/graphql-response+json']) {
        const response = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept },
          body: JSON.stringify({ query: `{ sources { ${fields(500)} } }` }),
        });
        expect([accept, response.status, (await response.json()).errors[0].extensions]).toEqual([
          accept,
          400,
          { code: 'LIMIT_EXCEEDED', limit: 'tokens' },
        ]);
      }
      const depth = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify({
          query: '{ ledgers(first: 1) { nodes { accounts(first: 1) { nodes { balances { total { amount } } } } } } }',
        }),
      });
      expect(depth.status).toBe(400);
    });
  });

  describe('page size', () => {
    it('first and last over the limit, literal or variable, at any level, are refused naming the field', async () => {
      await accepted('query($n: Int) { ledgers(first: $n) { nodes { name } } }', { n: 50 });
      expect(await refused('query($n: Int) { ledgers(first: $n) { nodes { name } } }', 'pageSize', { n: 51 })).toBe(
        'Query.ledgers asks for a page of 51 ("first"); the limit is 50',
      );
      await refused('{ ledgers(last: 60) { nodes { name } } }', 'pageSize');
      expect(
        await refused(
          'query($n: Int = 70) { ledgers(first: 1) { nodes { accounts(first: $n) { nodes { address } } } } }',
          'pageSize',
        ),
      ).toBe('Ledger.accounts asks for a page of 70 ("first"); the limit is 50');
    });
  });

  describe('ids', () => {
    it('nodes(ids) from a variable and single-id fields count together', async () => {
      const ids = Array.from({ length: 5 }, (_, index) => `id-${index}`);
      // Five made-up IDs are within the limit: each is refused on its own, and the list is there.
      const within = await t.query('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids });
      expect(within.body.data?.nodes).toEqual([null, null, null, null, null]);
      expect(within.body.errors?.every((error) => error.extensions?.code === 'BAD_USER_INPUT')).toBe(true);
      expect(
        await refused('query($ids: [ID!]!) { nodes(ids: $ids) { id } node(id: "x") { id } }', 'ids', { ids }),
      ).toBe('the operation asks for 6 IDs; the limit is 5');
      await refused(
        '{ a: node(id: "1") { id } ledger(id: "2") { id } account(id: "3") { id } balance(id: "4") { id } nodes(ids: ["5", "6"]) { id } }',
        'ids',
      );
      await refused('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', 'ids', {
        ids: Array.from({ length: 6 }, (_, index) => `id-${index}`),
      });
    });

    it('real IDs within the limit are fetched', async () => {
      const ledgers = (await accepted('{ ledgers(first: 5) { nodes { id } } }')) as {
        ledgers: { nodes: Array<{ id: string }> };
      };
      const ids = ledgers.ledgers.nodes.map((ledger) => ledger.id);
      const found = await accepted('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids });
      expect((found.nodes as Array<{ id: string }>).map((node) => node.id)).toEqual(ids);
    });
  });

  describe('cost', () => {
    it('the estimate of objects read, with variables, is stated with the limit', async () => {
      // Query.ledgers reads its page from each of the 5 sources at once, each read with its 2 calls
      // (the page and the look-ahead): (5 + 2) × 5. An account's balances are 10 items, their read,
      // and, as Midaz is configured, a walk of maxPagesPerWalk (10) pages and an account read: 21.
      // Then 5 × (10 accounts + 2 + 10 × 21): 1,145.
      await accepted('{ ledgers(first: 5) { nodes { accounts(first: 10) { nodes { balances { asset } } } } } }');
      // (20 + 2) × 5 + 20 × (50 + 2 + 50 × 21) = 22,150.
      const message = await refused(
        'query($n: Int) { ledgers(first: 20) { nodes { accounts(first: $n) { nodes { balances { asset } } } } } }',
        'cost',
        { n: 50 },
      );
      expect(message).toMatch(/^the operation's estimated cost is 22150; the limit is 2000 \(/);
      // A page size absent counts as 20, the resolvers' default: 22 × 5 + 20 × (22 + 20 × 21) = 8,950.
      await refused('{ ledgers { nodes { accounts { nodes { balances { asset } } } } } }', 'cost');
      // Fragments spread twice count twice: 2 × (12 × 5 + 10 × (1 + 12 + 10 × 21)) = 4,580.
      expect(
        await refused(
          '{ ...L ...L } fragment L on Query { ledgers(first: 10) { nodes { source { name } accounts(first: 10) { nodes { balances { asset } } } } } }',
          'cost',
        ),
      ).toMatch(/^the operation's estimated cost is 4580;/);
    });

    it('`last` without `before` counts the walk it is: maxPagesPerWalk pages more than `first`', async () => {
      const tails = (direction: 'first' | 'last') =>
        `{ ledgers(first: 50) { nodes { a: accounts(${direction}: 1) { nodes { address } } b: accounts(${direction}: 1, filter: { address: "x" }) { nodes { address } } c: balances(${direction}: 1) { nodes { asset } } } } }`;
      // (50 + 2) × 5 + 50 × 3 × (1 + 2) = 710.
      await accepted(tails('first'));
      // Each of the 150 tails may walk 10 pages (maxPagesPerWalk): 260 + 50 × 3 × (1 + 2 + 10) = 2,210.
      expect(await refused(tails('last'), 'cost')).toMatch(/^the operation's estimated cost is 2210;/);
    });

    it('Account.history counts the points of its window, not only its page size', async () => {
      const history = (from: string, to: string) =>
        `{ ledgers(first: 4) { nodes { accounts(first: 10) { nodes { history(asset: "USD", from: "${from}", to: "${to}", first: 50) { totalCount } } } } } }`;
      // Three days, so three points, and a count: 6 × 5 + 4 × (12 + 10 × (3 + 2 + 1)) = 318, admitted
      // (some sources keep no history: those answer coded errors, never a limit).
      const short = await t.query(history('2025-01-01T00:00:00Z', '2025-01-03T00:00:00Z'));
      expect(short.body.data).toBeTruthy();
      expect(short.body.errors?.some((error) => error.extensions?.code === 'LIMIT_EXCEEDED') ?? false).toBe(false);
      // Eleven months, a page of 50: 6 × 5 + 4 × (12 + 10 × (50 + 2 + 1)) = 2,198.
      expect(await refused(history('2025-01-01T00:00:00Z', '2025-12-01T00:00:00Z'), 'cost')).toMatch(
        /^the operation's estimated cost is 2198;/,
      );
    });
  });

  it('introspection (GraphiQL, codegen) is not held to the depth limit, and fits the others', async () => {
    const schema = (await accepted(INTROSPECTION)) as { __schema: { types: unknown[] } };
    expect(schema.__schema.types.length).toBeGreaterThan(20);
    await accepted(
      '{ __type(name: "Ledger") { fields { type { ofType { ofType { ofType { ofType { name } } } } } } } }',
    );
  });

  describe('body size', () => {
    const big = JSON.stringify({ query: '{ sources { name } }', variables: { pad: 'x'.repeat(5000) } });
    const post = (body: BodyInit, extra: RequestInit = {}) =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body, ...extra });
    const expect413 = async (response: Response) => {
      expect(response.status).toBe(413);
      expect(response.headers.get('content-type')).toMatch(/json/);
      // The unread rest of the body is not waited for: the socket closes with the answer.
      expect(response.headers.get('connection')).toBe('close');
      const body = await response.json();
      expect([body.errors.length, body.errors[0].extensions]).toEqual([
        1,
        { code: 'LIMIT_EXCEEDED', limit: 'bodySize' },
      ]);
      return body.errors[0].message as string;
    };
    const stillServing = async () => {
      const fine = await post(JSON.stringify({ query: '{ sources { name } }' }));
      expect((await fine.json()).data.sources).toHaveLength(5);
    };

    it('with content-length: 413 with a JSON error, nothing called; just under passes', async () => {
      await t.resetUpstream();
      expect(await expect413(await post(big))).toBe(`the request body is ${big.length} bytes; the limit is 4096`);
      nothingCalled();
      const under = JSON.stringify({ query: '{ sources { name } }', variables: { pad: 'x'.repeat(4000) } });
      expect(under.length).toBeLessThanOrEqual(4096);
      expect((await (await post(under)).json()).data.sources).toHaveLength(5);
      await stillServing();
    });

    it('chunked (no content-length): counted as it arrives, 413 once past the limit', async () => {
      const encoder = new TextEncoder();
      const stream = (text: string) => {
        let offset = 0;
        return new ReadableStream<Uint8Array>({
          pull(controller) {
            if (offset >= text.length) return controller.close();
            controller.enqueue(encoder.encode(text.slice(offset, offset + 1000)));
            offset += 1000;
          },
        });
      };
      await t.resetUpstream();
      expect(await expect413(await post(stream(big), { duplex: 'half' } as RequestInit))).toBe(
        'the request body is over 4096 bytes; the limit is 4096',
      );
      nothingCalled();
      const under = JSON.stringify({ query: '{ sources { name } }', variables: { pad: 'x'.repeat(3000) } });
      const fine = await post(stream(under), { duplex: 'half' } as RequestInit);
      expect((await fine.json()).data.sources).toHaveLength(5);
      await stillServing();
    });

    it('an endless chunked body gets its 413 once past the limit, and the gateway stops reading it', async () => {
      const filler = new TextEncoder().encode(`{"query":"{ sources { name } }","pad":"${'x'.repeat(1000)}`);
      let pulled = 0;
      const endless = new ReadableStream<Uint8Array>({
        async pull(controller) {
          pulled += 1;
          controller.enqueue(filler);
          await new Promise((resolve) => setTimeout(resolve, 1));
        },
      });
      const upload = new AbortController();
      expect(await expect413(await post(endless, { duplex: 'half', signal: upload.signal } as RequestInit))).toBe(
        'the request body is over 4096 bytes; the limit is 4096',
      );
      const atAnswer = pulled;
      await new Promise((resolve) => setTimeout(resolve, 200));
      // The gateway stops reading at the limit: the upload stalls (a few chunks in flight aside).
      expect(pulled - atAnswer).toBeLessThan(20);
      upload.abort();
      await stillServing();
    });

    it('a content-length under the limit with far more bytes behind it: only the declared bytes are the body', async () => {
      // A client that declares 60 bytes and sends 20,000: Node's parser takes the 60 as the body and
      // the rest as a next request, which it refuses; nothing reads past the declared length. (The
      // limit leaves a declared length to yoga's parser over node:http: limits/body-size.ts.)
      const { hostname, port } = new URL(url);
      const head = `POST /graphql HTTP/1.1\r\nhost: ${hostname}\r\ncontent-type: application/json\r\ncontent-length: 60\r\n\r\n`;
      const socket = connect(Number(port), hostname);
      let received = '';
      socket.on('data', (chunk) => (received += chunk.toString('latin1')));
      const closed = new Promise((resolve) => socket.on('close', resolve));
      socket.write(head + JSON.stringify({ query: '{ sources { name } }', pad: 'x'.repeat(20_000) }));
      await closed;
      // Node's parser refuses what follows the 60 bytes and closes the connection (the cut JSON's own
      // answer is dropped with it); nothing took the 20,000 bytes as a body, so no 413.
      expect(received).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(received).not.toContain('bodySize');
      await stillServing();
    });

    it("a GET's query string is held to the same limit", async () => {
      const get = (query: string) =>
        fetch(`${url}?query=${encodeURIComponent(query)}`, { headers: { 'x-graphql-yoga-csrf': '1' } });
      await t.resetUpstream();
      // Spaces travel as %20: 2,000 of them are 6,000 bytes (and within node's 16 KiB header cap).
      expect(await expect413(await get(`{ sources { name } }${' '.repeat(2000)}`))).toMatch(
        /^the request's query string is \d+ bytes; the limit is 4096$/,
      );
      nothingCalled();
      expect((await (await get(`{ sources { name } }${' '.repeat(1000)}`)).json()).data.sources).toHaveLength(5);
      await stillServing();
    });
  });
});

describe('default limits admit the project’s own operations', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t?.close());

  const noLimitErrors = (response: {
    body: { data?: unknown; errors?: Array<{ extensions?: { code?: string } }> };
  }) => {
    expect(response.body.data).toBeTruthy();
    expect(response.body.errors?.filter((error) => error.extensions?.code === 'LIMIT_EXCEEDED') ?? []).toEqual([]);
  };

  it("GraphiQL's default query, as the page serves it", async () => {
    const page = await (
      await t.gateway.yoga.fetch('http://gateway.test/graphql', { headers: { accept: 'text/html' } })
    ).text();
    const match = /"defaultQuery":("(?:[^"\\]|\\.)*")/.exec(page);
    const query = JSON.parse(match![1]!) as string;
    expect(query).toContain('query FirstLook');
    noLimitErrors(await t.query(query));
  });

  it("GraphiQL's default tabs, each operation with the tab's variables", async () => {
    const tabs = graphiqlTabs(new Date());
    expect(tabs.length).toBeGreaterThan(1);
    for (const tab of tabs)
      for (const operation of parse(tab.query ?? '').definitions)
        noLimitErrors(await t.query(print(operation), JSON.parse(tab.variables ?? '{}')));
  });

  it('the client operations in test/client/operations.graphql, at the largest page', async () => {
    const document = parse(readFileSync(new URL('./client/operations.graphql', import.meta.url), 'utf8'));
    const ledgers = (
      await t.query<{ ledgers: { nodes: Array<{ id: string }> } }>('{ ledgers(first: 1) { nodes { id } } }')
    ).body.data!.ledgers.nodes;
    for (const operation of document.definitions) {
      noLimitErrors(await t.query(print(operation), { id: ledgers[0]!.id, first: 100 }));
    }
  });

  it('introspection', async () => {
    noLimitErrors(await t.query(INTROSPECTION));
  });
});

describe('server.limits configuration', () => {
  const sources = [{ name: 'b', kind: 'blnk', url: 'http://b' }];
  const limitsOf = (limits: unknown) => parseConfig({ server: { limits }, sources }).server.limits;
  const failure = (limits: unknown) => {
    try {
      limitsOf(limits);
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      return (error as Error).message;
    }
    throw new Error('accepted');
  };

  it('defaults, and overrides field by field (digits from an environment variable too)', () => {
    expect(parseConfig({ sources }).server.limits).toEqual(DEFAULT_LIMITS);
    expect(limitsOf({})).toEqual(DEFAULT_LIMITS);
    expect(limitsOf({ maxDepth: 8 })).toEqual({ ...DEFAULT_LIMITS, maxDepth: 8 });
    expect(limitsOf(LIMITS)).toEqual(LIMITS);
    expect(limitsOf({ maxCost: '1000' })).toEqual({ ...DEFAULT_LIMITS, maxCost: 1000 });
  });

  it('the defaults', () => {
    expect(DEFAULT_LIMITS).toEqual({
      maxDepth: 12,
      maxAliases: 30,
      maxTokens: 5000,
      maxDirectives: 20,
      maxIds: 100,
      maxPageSize: 100,
      maxBodyBytes: 102_400,
      maxCost: 250_000,
      maxPagesPerWalk: 100,
      maxUpstreamCalls: 1000,
    });
  });

  it.each([
    [{ maxDepth: 0 }, 'server.limits.maxDepth: must be an integer from 1 to 100'],
    [{ maxDepth: 2.5 }, 'server.limits.maxDepth: must be an integer from 1 to 100'],
    [{ maxAliases: -1 }, 'server.limits.maxAliases: must be an integer from 0 to 1000'],
    [{ maxTokens: 99 }, 'server.limits.maxTokens: must be an integer from 100 to 1000000'],
    [{ maxDirectives: 'many' }, 'server.limits.maxDirectives: must be an integer from 0 to 1000'],
    [{ maxIds: 0 }, 'server.limits.maxIds: must be an integer from 1 to 10000'],
    [{ maxPageSize: 500 }, 'server.limits.maxPageSize: must be an integer from 1 to 100'],
    [{ maxBodyBytes: 10 }, 'server.limits.maxBodyBytes: must be an integer from 1024 to 67108864'],
    [{ maxCost: true }, 'server.limits.maxCost: must be an integer from 1 to 100000000'],
    [{ maxPagesPerWalk: 0 }, 'server.limits.maxPagesPerWalk: must be an integer from 1 to 10000'],
    [{ maxUpstreamCalls: 0 }, 'server.limits.maxUpstreamCalls: must be an integer from 1 to 1000000'],
    [
      { maxCosts: 5 },
      'server.limits.maxCosts: unknown field (expected one of maxDepth, maxAliases, maxTokens, maxDirectives, maxIds, maxPageSize, maxBodyBytes, maxCost, maxPagesPerWalk, maxUpstreamCalls)',
    ],
  ])('%j is refused naming the field, never the value', (limits, message) => {
    expect(failure(limits)).toBe(message);
  });

  it('a limits block that is not an object is refused', () => {
    expect(failure(7)).toBe('server.limits: must be an object');
    expect(failure('987654321')).not.toContain('987654321');
  });
});

describe('maxPagesPerWalk: a walk past it fails its field alone', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ server: { limits: { maxPagesPerWalk: 2 } } });
  });
  afterAll(() => t?.close());

  it('the last account of a 302-account Formance ledger (four pages) is LIMIT_EXCEEDED; its first page and the other sources answer', async () => {
    const truth = t.demo.simulators.formance.truth;
    const main = truth.ledgers().find((ledger) => truth.accounts(ledger.id).length > 300);
    expect(main).toBeDefined();
    const id = encodeGlobalId('Ledger', ['formance-demo', main!.id]);
    await t.resetUpstream();
    const response = await t.query<{ ledger: { first: { nodes: unknown[] }; last: null }; sources: unknown[] }>(
      `{ sources { name } ledger(id: "${id}") { first: accounts(first: 3) { nodes { address } } last: accounts(last: 1) { nodes { address } } } }`,
    );
    expect(response.status).toBe(200);
    expect(response.body.data?.sources).toHaveLength(5);
    expect(response.body.data?.ledger.first.nodes).toHaveLength(3);
    expect(response.body.data?.ledger.last).toBeNull();
    expect(response.body.errors?.map((error) => [error.path, error.extensions])).toEqual([
      [['ledger', 'last'], { code: 'LIMIT_EXCEEDED', source: 'formance-demo', limit: 'pagesPerWalk' }],
    ]);
    expect(response.body.errors?.[0]?.message).toBe(
      'reading this field from source "formance-demo" needs more than 2 pages read in one walk (server.limits.maxPagesPerWalk)',
    );
    // The walk stopped before its third accounts page: the first two pages, and the first field's page.
    const accountPages = t.demo.simulators.formance.requests.filter((request) => request.path.endsWith('/accounts'));
    expect(accountPages.length).toBeLessThanOrEqual(3);
  });
});
