import { createHash, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

/**
 * Authentication comes before the document is parsed or validated: an unauthenticated caller must
 * not learn the schema from graphql-js's messages (field, argument and type names, in production as
 * in development), only that it is not authenticated.
 */

const KEY = `bgw_${randomBytes(24).toString('base64url')}`;
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const MISSING = {
  errors: [{ message: 'missing credentials: send an API key in x-api-key', extensions: { code: 'UNAUTHENTICATED' } }],
};
const UNKNOWN = { errors: [{ message: 'the API key is not recognised', extensions: { code: 'UNAUTHENTICATED' } }] };

/** Documents whose graphql-js errors would name fields, arguments, types or the shape of the schema. */
const PROBES: ReadonlyArray<{ query: string; variables?: Record<string, unknown> }> = [
  { query: '{ ledgerz { nodes { name } } }' }, // "Cannot query field … Did you mean ledgers?"
  { query: '{ ledgers(frist: 1) { nodes { name } } }' }, // unknown argument, with a suggestion
  { query: '{ ledgers }' }, // "must have a selection of subfields … of type LedgerConnection!"
  { query: 'query ($id: Int!) { account(id: $id) { address } }', variables: { id: 1 } }, // variable type vs ID!
  { query: '{ ... on Nope { x } }' }, // unknown type
  { query: '{ ledgers(first: 1) { nodes { name }' }, // syntax error
  { query: '{ __schema { types { name } } }' }, // introspection
];

/** Words of the schema that must never appear in an answer to an unauthenticated caller. */
const SCHEMA_WORDS =
  /ledger|Ledger|account|Account|Did you mean|Cannot query|Unknown|Syntax|Int!|ID!|__schema|Expected/;

async function ask(
  url: string,
  probe: { query: string; variables?: Record<string, unknown> },
  headers: Record<string, string> = {},
) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
    body: JSON.stringify(probe),
  });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as Record<string, unknown> };
}

describe.each(['production', 'development'] as const)('server.auth on in %s mode', (mode) => {
  let t: TestGateway;
  let url: string;
  beforeAll(async () => {
    t = await startTestGateway({
      server: { mode, auth: { apiKeys: [{ name: 'ops', sha256: sha256(KEY), sources: ['*'] }] } },
    });
    url = await t.listen();
  });
  afterAll(() => t?.close());

  it('answers 401 UNAUTHENTICATED without a word of the schema to a caller without credentials, whatever the document', async () => {
    await t.resetUpstream();
    for (const probe of PROBES) {
      const reply = await ask(url, probe);
      expect([probe.query, reply.status, reply.body]).toEqual([probe.query, 401, MISSING]);
      expect(reply.text).not.toMatch(SCHEMA_WORDS);
    }
    // The same over GET (with the CSRF header, which any credential also is).
    for (const probe of PROBES.slice(0, 3)) {
      const response = await fetch(`${url}?query=${encodeURIComponent(probe.query)}`, {
        headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' },
      });
      const text = await response.text();
      expect([response.status, JSON.parse(text)]).toEqual([401, MISSING]);
      expect(text).not.toMatch(SCHEMA_WORDS);
    }
    expect(Object.values(t.upstream()).every((count) => count === 0)).toBe(true);
  });

  it('answers 401 to a key it does not know, whatever the document', async () => {
    for (const probe of PROBES) {
      const reply = await ask(url, probe, { 'x-api-key': `${KEY}x` });
      expect([reply.status, reply.body]).toEqual([401, UNKNOWN]);
    }
  });

  it('still validates the documents of an authenticated caller', async () => {
    const reply = await ask(url, PROBES[0] as { query: string }, { 'x-api-key': KEY });
    expect(reply.status).toBe(400);
    const errors = reply.body.errors as Array<{ message: string }>;
    expect(errors.map((error) => error.message)).toEqual([
      mode === 'production'
        ? 'Cannot query field "ledgerz" on type "Query".'
        : 'Cannot query field "ledgerz" on type "Query". Did you mean "ledger" or "ledgers"?',
    ]);
    const good = await ask(url, { query: '{ sources { name } }' }, { 'x-api-key': KEY });
    expect([good.status, (good.body.data as { sources: unknown[] }).sources]).toEqual([200, expect.any(Array)]);
  });
});

describe('server.auth with a token issuer that cannot be reached', () => {
  let t: TestGateway;
  let url: string;
  let issuer: Server;
  beforeAll(async () => {
    // A JWKS URL answering 500: the key set cannot be read.
    issuer = createServer((_, response) => response.writeHead(500).end());
    await new Promise<void>((resolve) => issuer.listen(0, '127.0.0.1', resolve));
    const jwksUrl = `http://127.0.0.1:${(issuer.address() as AddressInfo).port}/jwks.json`;
    t = await startTestGateway({
      server: {
        mode: 'production',
        auth: { jwt: { jwksUrl, issuer: 'https://issuer.test/', audience: 'balance-gateway' } },
      },
    });
    url = await t.listen();
  });
  afterAll(async () => {
    await t?.close();
    await new Promise((resolve) => issuer?.close(resolve));
  });

  it('still answers 503 with Retry-After (keep the token), before the document is looked at', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT({ balance_sources: '*' })
      .setProtectedHeader({ alg: 'ES256', kid: 'k1' })
      .setIssuer('https://issuer.test/')
      .setAudience('balance-gateway')
      .setSubject('someone')
      .setExpirationTime('5m')
      .sign(privateKey);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(PROBES[0]),
    });
    const text = await response.text();
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(JSON.parse(text)).toEqual({
      errors: [
        { message: expect.stringContaining('cannot be checked right now'), extensions: { code: 'UNAUTHENTICATED' } },
      ],
    });
    expect(text).not.toMatch(SCHEMA_WORDS);
  });
});
