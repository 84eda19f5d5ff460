import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { ConfigError } from '../src/errors.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

// The GraphQL-over-HTTP persisted documents convention, as graphql-codegen's client preset 6.x
// writes it: keys `sha256:<hex>` in persisted-documents.json, requests `{ "documentId": "sha256:<hex>" }`.
const URL = 'http://gateway.test/graphql';
const sources = 'query Sources { sources { name kind } }';
const ledger = 'query Ledger($first: Int) { ledgers(first: $first) { nodes { name } } }';
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('persisted documents (documentId, sha256: keys)', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    const file = join(await mkdtemp(join(tmpdir(), 'persisted-')), 'persisted-documents.json');
    await writeFile(file, JSON.stringify({ [`sha256:${sha(sources)}`]: sources, [`sha256:${sha(ledger)}`]: ledger }));
    gateway = await startTestGateway({ server: { persistedOperations: file } });
  });
  afterAll(() => gateway.close());

  const post = async (body: unknown) => {
    const response = await gateway.gateway.yoga.fetch(URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: await response.json() };
  };
  const codeOf = (answer: { body: { errors?: Array<{ extensions?: { code?: string } }> } }) =>
    answer.body.errors?.[0]?.extensions?.code;

  it('runs a document named by documentId in a POST body, with its variables', async () => {
    const answer = await post({ documentId: `sha256:${sha(ledger)}`, variables: { first: 2 } });
    expect(answer.status).toBe(200);
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data.ledgers.nodes).toHaveLength(2);
  });

  it('runs a document named by documentId in a GET query string', async () => {
    const query = new URLSearchParams({ documentId: `sha256:${sha(ledger)}`, variables: JSON.stringify({ first: 1 }) });
    const response = await gateway.gateway.yoga.fetch(`${URL}?${query}`, {
      headers: { accept: 'application/graphql-response+json', 'x-graphql-yoga-csrf': '1' },
    });
    const body = await response.json();
    expect(response.status).toBe(200);
    expect(body.errors).toBeUndefined();
    expect(body.data.ledgers.nodes).toHaveLength(1);
  });

  it("still runs Apollo's extensions.persistedQuery form against the same file", async () => {
    const answer = await post({ extensions: { persistedQuery: { version: 1, sha256Hash: sha(sources) } } });
    expect(answer.body.data.sources).toContainEqual({ name: 'formance-demo', kind: 'FORMANCE' });
  });

  it('refuses unknown ids, other prefixes and raw documents with coded errors, calling no vendor', async () => {
    await gateway.resetUpstream();
    expect(codeOf(await post({ documentId: `sha256:${'f'.repeat(64)}` }))).toBe('PERSISTED_QUERY_NOT_FOUND');
    // The hash of a listed document under another algorithm's prefix names nothing.
    expect(codeOf(await post({ documentId: `sha1:${sha(sources)}` }))).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(codeOf(await post({ documentId: sha(sources).slice(0, 40) }))).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(codeOf(await post({ query: '{ ledgers(first: 1) { nodes { name } } }' }))).toBe('PERSISTED_QUERY_ONLY');
    // A listed id does not carry an arbitrary document along with it.
    expect(codeOf(await post({ documentId: `sha256:${sha(sources)}`, query: ledger }))).toBe('PERSISTED_QUERY_ONLY');
    expect(codeOf(await post({ variables: {} }))).toBe('PERSISTED_QUERY_ONLY');
    expect(codeOf(await post({ documentId: { id: sha(sources) } }))).toBe('PERSISTED_QUERY_ONLY');
    expect(codeOf(await post({ documentId: '' }))).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(Object.values(gateway.upstream()).every((count) => count === 0)).toBe(true);
  });
});

describe('the persisted documents file at start-up', () => {
  const write = async (content: unknown) => {
    const file = join(await mkdtemp(join(tmpdir(), 'persisted-')), 'persisted-documents.json');
    await writeFile(file, JSON.stringify(content));
    return file;
  };
  const load = (file: string) =>
    parseConfig({ server: { persistedOperations: file }, sources: [{ name: 'b', kind: 'blnk', url: 'http://b' }] });

  it('accepts sha256:<hex> keys and bare hex keys in one file', async () => {
    const config = load(await write({ [`sha256:${sha(sources)}`]: sources, [sha(ledger)]: ledger }));
    expect([...(config.server.persistedOperations?.keys() ?? [])].sort()).toEqual([sha(sources), sha(ledger)].sort());
  });

  it('refuses a sha256: key that is not the hash of its document, and keys of another algorithm', async () => {
    const forged = await write({ [`sha256:${sha(sources)}`]: ledger });
    expect(() => load(forged)).toThrow(
      new ConfigError(
        `server.persistedOperations: ${forged} has an entry whose hash is not the SHA-256 of its operation`,
      ),
    );
    const sha1 = await write({ [createHash('sha1').update(sources).digest('hex')]: sources });
    expect(() => load(sha1)).toThrow(
      new ConfigError(
        `server.persistedOperations: ${sha1} has an entry that is not a SHA-256 hash ("sha256:<hex>" or hex) → operation text`,
      ),
    );
  });
});
