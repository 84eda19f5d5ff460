import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { ConfigError } from '../src/errors.ts';
import { DEFAULT_LIMITS } from '../src/limits/index.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

const LIMITS = { maxDepth: 6, maxAliases: 3, maxTokens: 400, maxDirectives: 2, maxIds: 5, maxPageSize: 50, maxBodyBytes: 4096, maxCost: 2000 };

describe('operation limits: refused before any vendor call, with LIMIT_EXCEEDED naming the limit', () => {
  let t: TestGateway;
  let url: string;
  beforeAll(async () => {
    t = await startTestGateway({ server: { limits: LIMITS } });
    url = await t.listen();
  });
  afterAll(() => t?.close());

  const nothingCalled = () => expect(Object.values(t.upstream()).every((count) => count === 0)).toBe(true);
  const refused = async (query: string, limit: string, variables?: Record<string, unknown>) => {
    t.resetUpstream();
    const response = await t.query(query, variables);
    expect([response.status, response.body.errors?.[0]?.extensions]).toEqual([400, { code: 'LIMIT_EXCEEDED', limit }]);
    expect(response.body.data ?? null).toBeNull();
    nothingCalled();
    return response.body.errors?.[0]?.message;
  };
  const accepted = async (query: string, variables?: Record<string, unknown>) => {
    const response = await t.query(query, variables);
    expect(response.body.errors, query).toBeUndefined();
    expect(response.body.data).toBeTruthy();
  };

  it('depth: 6 levels pass, 7 are refused (fragments followed)', async () => {
    await accepted('{ ledgers(first: 1) { nodes { accounts(first: 1) { nodes { balances { asset } } } } } }');
    expect(await refused('{ ledgers(first: 1) { nodes { accounts(first: 1) { nodes { balances { total { amount } } } } } } }', 'depth')).toBe(
      'the operation nests fields more than 6 deep; the limit is 6',
    );
    await refused('query { ...L } fragment L on Query { ledgers(first: 1) { nodes { accounts(first: 1) { nodes { ledger { source { name } } } } } } }', 'depth');
  });

  it('aliases: 3 pass, 4 are refused', async () => {
    await accepted('{ a: sources { name } b: sources { name } c: sources { name } }');
    expect(await refused('{ a: sources { name } b: sources { name } c: sources { name } d: sources { name } }', 'aliases')).toBe('the operation has more than 3 aliases; the limit is 3');
  });

  it('directives: 2 pass, 3 are refused', async () => {
    await accepted('{ sources { name @include(if: true) kind @skip(if: false) } }');
    await refused('{ sources { name @include(if: true) kind @skip(if: false) capabilities @include(if: true) } }', 'directives');
  });

  it('tokens: a document over the limit is refused by the parser, as LIMIT_EXCEEDED', async () => {
    const fields = (count: number) => Array.from({ length: count }, () => 'name').join(' ');
    await accepted(`{ sources { ${fields(300)} } }`);
    expect(await refused(`{ sources { ${fields(500)} } }`, 'tokens')).toBe('the document has more than 400 tokens; the limit is 400');
  });

  it('page size: first and last over the limit, literal or variable, are refused', async () => {
    await accepted('query($n: Int) { ledgers(first: $n) { nodes { name } } }', { n: 50 });
    await refused('query($n: Int) { ledgers(first: $n) { nodes { name } } }', 'pageSize', { n: 51 });
    await refused('{ ledgers(last: 60) { nodes { name } } }', 'pageSize');
  });

  it('ids: nodes(ids) and single-id fields count together', async () => {
    const ids = Array.from({ length: 5 }, (_, index) => `id-${index}`);
    const within = await t.query('query($ids: [ID!]!) { nodes(ids: $ids) { id } }', { ids });
    expect(within.body.errors?.every((error) => error.extensions?.code === 'BAD_USER_INPUT')).toBe(true);
    expect(await refused('query($ids: [ID!]!) { nodes(ids: $ids) { id } node(id: "x") { id } }', 'ids', { ids })).toBe('the operation asks for more than 5 IDs; the limit is 5');
  });

  it('cost: the estimate of objects resolved, with variables', async () => {
    // 5 ledgers + 50 accounts + 500 balances (10 assumed per account) = 555.
    await accepted('{ ledgers(first: 5) { nodes { accounts(first: 10) { nodes { balances { asset } } } } } }');
    const message = await refused('query($n: Int) { ledgers(first: 20) { nodes { accounts(first: $n) { nodes { balances { asset } } } } } }', 'cost', { n: 50 });
    expect(message).toMatch(/^the operation may resolve more than 2000 objects \(estimated so far: \d+\); ask for smaller pages or fewer fields$/);
  });

  it('introspection (GraphiQL, codegen) is not held to the depth limit', async () => {
    await accepted('{ __schema { types { name fields { name type { name ofType { name ofType { name ofType { name ofType { name } } } } } } } } }');
  });

  it('body size: over the socket, with content-length and chunked, 413 with a JSON error; the gateway serves on', async () => {
    const big = JSON.stringify({ query: '{ sources { name } }', variables: { pad: 'x'.repeat(5000) } });
    const declared = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    expect(declared.status).toBe(413);
    expect((await declared.json()).errors[0].extensions).toEqual({ code: 'LIMIT_EXCEEDED', limit: 'bodySize' });
    const encoder = new TextEncoder();
    const chunked = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new ReadableStream({
        start(controller) {
          for (let offset = 0; offset < big.length; offset += 1000) controller.enqueue(encoder.encode(big.slice(offset, offset + 1000)));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect((await chunked.json()).errors[0].extensions.limit).toBe('bodySize');
    const longGet = await fetch(`${url}?query=${encodeURIComponent(`{ sources { name } }${' '.repeat(5000)}`)}`, { headers: { 'x-graphql-yoga-csrf': '1' } });
    expect(longGet.status).toBe(413);
    const fine = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ sources { name } }' }) });
    expect((await fine.json()).data.sources).toHaveLength(5);
  });
});

describe('server.limits configuration', () => {
  const sources = [{ name: 'b', kind: 'blnk', url: 'http://b' }];
  it('defaults, and overrides field by field', () => {
    expect(parseConfig({ sources }).server.limits).toEqual(DEFAULT_LIMITS);
    expect(parseConfig({ server: { limits: { maxDepth: 8 } }, sources }).server.limits).toEqual({ ...DEFAULT_LIMITS, maxDepth: 8 });
  });
  it.each([
    [{ maxDepth: 0 }, 'server.limits.maxDepth: must be an integer from 1 to 100'],
    [{ maxPageSize: 500 }, 'server.limits.maxPageSize: must be an integer from 1 to 100'],
    [{ maxCosts: 5 }, 'server.limits.maxCosts: unknown field'],
  ])('%j is refused naming the field', (limits, message) => {
    expect(() => parseConfig({ server: { limits }, sources })).toThrow(ConfigError);
    try {
      parseConfig({ server: { limits }, sources });
    } catch (error) {
      expect((error as Error).message.startsWith(message)).toBe(true);
    }
  });
});
