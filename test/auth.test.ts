import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, exportSPKI, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator, parseAuthConfig } from '../src/auth/index.ts';
import { parseConfig } from '../src/config.ts';
import { ConfigError, GatewayError } from '../src/errors.ts';
import { createLogger } from '../src/logger.ts';
import { startTestGateway, type GraphQLResponse, type TestGateway } from './helpers/gateway.ts';

// Every credential this file sends, every response it got and every gateway's log lines: the last
// test checks that no credential ever came back or reached a log.
const secrets: string[] = [];
const responses: string[] = [];
const logSets: string[][] = [];

const ALL_SOURCES = ['formance-demo', 'ledger-enterprise-demo', 'midaz-demo', 'blnk-demo', 'vonage-demo'];
const ISSUER = 'https://issuer.test/';
const AUDIENCE = 'balance-gateway';

function newKey(): string {
  const key = `bgw_${randomBytes(24).toString('base64url')}`;
  secrets.push(key);
  return key;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

interface Reply extends GraphQLResponse<Record<string, any>> {
  headers: Headers;
}

/** A GraphQL request over a real socket; every answer is kept for the leak check. */
async function post(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
  accept = 'application/graphql-response+json',
): Promise<Reply> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept, ...headers },
    body: JSON.stringify({ query, variables }),
  });
  const text = await response.text();
  responses.push(text, JSON.stringify([...response.headers]));
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) };
}

async function gatewayWith(auth: Record<string, unknown>): Promise<{ t: TestGateway; url: string }> {
  const t = await startTestGateway({ server: { auth } });
  logSets.push(t.logs);
  return { t, url: await t.listen() };
}

const untouched = { formance: 0, 'ledger-enterprise': 0, midaz: 0, blnk: 0, vonage: 0 };

/** Answers of a refused request: 401, only the documented error shape, no data. */
function expectRefused(reply: Reply, message: string | RegExp): void {
  expect(reply.status).toBe(401);
  expect(reply.body).toEqual({
    errors: [{ message: expect.stringMatching(message), extensions: { code: 'UNAUTHENTICATED' } }],
  });
}

/** The global ID of the same thing at a source that is not configured at all. */
function atUnconfiguredSource(id: string): string {
  const [type, , ...rest] = JSON.parse(Buffer.from(id, 'base64url').toString('utf8')) as string[];
  return Buffer.from(JSON.stringify([type, 'nowhere-demo', ...rest])).toString('base64url');
}

describe('API keys', () => {
  const allKey = newKey();
  const blnkKey = newKey();
  const pairKey = newKey();
  let t: TestGateway;
  let url: string;
  beforeAll(async () => {
    ({ t, url } = await gatewayWith({
      apiKeys: [
        { name: 'ops', sha256: sha256(allKey), sources: ['*'] },
        // Upper-case hex is the same digest.
        { name: 'web-blnk', sha256: sha256(blnkKey).toUpperCase(), sources: ['blnk-demo'] },
        { name: 'pair', sha256: sha256(pairKey), sources: ['midaz-demo', 'formance-demo'] },
      ],
    }));
  });
  afterAll(async () => {
    await t?.close();
  });

  const as = (key: string) => ({ 'x-api-key': key });

  it('refuses a request without credentials with 401 UNAUTHENTICATED before any vendor is called', async () => {
    await t.resetUpstream();
    for (const accept of ['application/graphql-response+json', 'application/json']) {
      const reply = await post(url, '{ sources { name } ledgers { nodes { name } } }', {}, {}, accept);
      expectRefused(reply, /^missing credentials: send an API key in x-api-key$/);
      expect(reply.headers.get('content-type')).toMatch(/^application\/(graphql-response\+)?json/);
      // Without jwt configured there is no bearer challenge to offer.
      expect(reply.headers.get('www-authenticate')).toBeNull();
    }
    // The header keeps a CSRF check, when one is on, from answering before authentication.
    const get = await fetch(`${url}?query=${encodeURIComponent('{ sources { name } }')}`, {
      headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' },
    });
    expect([get.status, await get.json()]).toEqual([
      401,
      {
        errors: [
          { message: 'missing credentials: send an API key in x-api-key', extensions: { code: 'UNAUTHENTICATED' } },
        ],
      },
    ]);
    expect(t.upstream()).toEqual(untouched);
  });

  it('refuses an unknown key, the digest sent as a key, an empty key and a bearer token it does not accept', async () => {
    await t.resetUpstream();
    expectRefused(await post(url, '{ sources { name } }', {}, as(newKey())), /^the API key is not recognised$/);
    expectRefused(await post(url, '{ sources { name } }', {}, as(sha256(allKey))), /^the API key is not recognised$/);
    expectRefused(await post(url, '{ sources { name } }', {}, as(`${allKey}x`)), /^the API key is not recognised$/);
    expectRefused(await post(url, '{ sources { name } }', {}, as('')), /^missing credentials/);
    expectRefused(
      await post(url, '{ sources { name } }', {}, { authorization: `Bearer ${allKey}` }),
      /^this gateway does not accept bearer tokens: send an API key in x-api-key$/,
    );
    expect(t.upstream()).toEqual(untouched);
  });

  it('refuses a request that sends both an API key and a bearer token', async () => {
    const reply = await post(url, '{ sources { name } }', {}, { ...as(allKey), authorization: 'Bearer abc.def.ghi' });
    expectRefused(reply, /^send one credential, not both/);
  });

  it("ignores an authorization header of another scheme (a proxy's Basic credentials)", async () => {
    const reply = await post(url, '{ sources { name } }', {}, { ...as(blnkKey), authorization: 'Basic dXNlcjpwYXNz' });
    expect(reply.body).toEqual({ data: { sources: [{ name: 'blnk-demo' }] } });
  });

  it('still answers /health without credentials', async () => {
    const health = await fetch(url.replace(/\/graphql$/, '/health'));
    expect(health.status).toBe(200);
  });

  it('shows a key limited to blnk-demo only blnk-demo, in sources and in every page of ledgers', async () => {
    const sources = await post(url, '{ sources { name } }', {}, as(blnkKey));
    expect(sources.body).toEqual({ data: { sources: [{ name: 'blnk-demo' }] } });
    const names: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 50; page += 1) {
      const reply: Reply = await post(
        url,
        'query($after: String) { ledgers(first: 2, after: $after) { nodes { name source { name } } pageInfo { hasNextPage endCursor } } }',
        { after },
        as(blnkKey),
      );
      expect(reply.body.errors).toBeUndefined();
      const { nodes, pageInfo } = reply.body.data!.ledgers;
      names.push(
        ...nodes.map((ledger: { name: string; source: { name: string } }) => `${ledger.source.name}/${ledger.name}`),
      );
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(names).toEqual(t.demo.simulators.blnk.truth.ledgers().map((ledger) => `blnk-demo/${ledger.name}`));
    // The all-sources key sees all five.
    const all = await post(url, '{ sources { name } }', {}, as(allKey));
    expect(all.body.data!.sources.map((source: { name: string }) => source.name)).toEqual(ALL_SOURCES);
  });

  it("answers a hidden source's ledger, account, balance and source IDs exactly as an unconfigured source's, without calling it", async () => {
    const listing = await post(
      url,
      '{ sources { id name } ledgers(first: 1) { nodes { id source { name } accounts(first: 1) { nodes { id balances { id } } } } } }',
      {},
      as(allKey),
    );
    const ledger = listing.body.data!.ledgers.nodes[0];
    expect(ledger.source.name).toBe('formance-demo');
    const account = ledger.accounts.nodes[0];
    const ids = {
      s: listing.body.data!.sources.find((source: { name: string }) => source.name === 'formance-demo').id,
      l: ledger.id,
      a: account.id,
      b: account.balances[0].id,
    };
    const lookups = `query($s: ID!, $l: ID!, $a: ID!, $b: ID!) {
      source: node(id: $s) { id } node(id: $l) { id } ledger(id: $l) { id name } account(id: $a) { id } balance(id: $b) { id }
      nodes(ids: [$s, $l, $a, $b]) { id }
    }`;
    // The all-sources key finds them all …
    const visible = await post(url, lookups, ids, as(allKey));
    expect(visible.body.data!.nodes).toEqual([{ id: ids.s }, { id: ids.l }, { id: ids.a }, { id: ids.b }]);
    // … the blnk-only key finds none, and cannot tell them from IDs at a source that does not exist.
    await t.resetUpstream();
    const hidden = await post(url, lookups, ids, as(blnkKey));
    const unconfigured = await post(
      url,
      lookups,
      Object.fromEntries(Object.entries(ids).map(([name, id]) => [name, atUnconfiguredSource(id)])),
      as(blnkKey),
    );
    expect(hidden.body.data).toEqual({
      source: null,
      node: null,
      ledger: null,
      account: null,
      balance: null,
      nodes: [null, null, null, null],
    });
    expect(hidden.body).toEqual(unconfigured.body);
    for (const error of hidden.body.errors ?? []) expect(error.extensions?.code).toBe('NOT_FOUND');
    expect(t.upstream()).toEqual(untouched);
  });

  it('refuses topUp on a hidden source as on an unconfigured one, without calling Vonage', async () => {
    const topUp = 'mutation($source: String!) { topUp(input: { source: $source, trx: "8ef2a3d1" }) { outcome } }';
    await t.resetUpstream();
    const hidden = await post(url, topUp, { source: 'vonage-demo' }, as(blnkKey));
    const unconfigured = await post(url, topUp, { source: 'nowhere-demo' }, as(blnkKey));
    expect(hidden.body.data).toBeNull();
    expect(hidden.body.errors).toHaveLength(1);
    expect(hidden.text.replace('vonage-demo', 'nowhere-demo')).toBe(unconfigured.text);
    expect(t.upstream()).toEqual(untouched);
  });

  it("never lets callers interleaved in time see each other's sources", async () => {
    const callers = [
      { key: allKey, sees: ALL_SOURCES },
      { key: blnkKey, sees: ['blnk-demo'] },
      { key: pairKey, sees: ['formance-demo', 'midaz-demo'] },
    ];
    const query = '{ sources { name } ledgers(first: 100) { nodes { source { name } } } }';
    const order = Array.from({ length: 30 }, (_, index) => callers[index % callers.length]!);
    const replies = await Promise.all(order.map((caller) => post(url, query, {}, as(caller.key))));
    replies.forEach((reply, index) => {
      const { sees } = order[index]!;
      expect(reply.body.errors).toBeUndefined();
      expect(reply.body.data!.sources.map((source: { name: string }) => source.name)).toEqual(sees);
      const ledgerSources = new Set(
        reply.body.data!.ledgers.nodes.map((ledger: { source: { name: string } }) => ledger.source.name),
      );
      expect([...ledgerSources].every((name) => sees.includes(name as string))).toBe(true);
      for (const name of ALL_SOURCES.filter((source) => !sees.includes(source))) expect(reply.text).not.toContain(name);
    });
  });

  it('does not reveal a hidden source through a Query.ledgers cursor issued to another caller', async () => {
    const cursors: string[] = [];
    let after: string | null = null;
    for (;;) {
      const reply: Reply = await post(
        url,
        'query($after: String) { ledgers(first: 3, after: $after) { edges { cursor } pageInfo { hasNextPage endCursor } } }',
        { after },
        as(allKey),
      );
      cursors.push(...reply.body.data!.ledgers.edges.map((edge: { cursor: string }) => edge.cursor));
      if (!reply.body.data!.ledgers.pageInfo.hasNextPage) break;
      after = reply.body.data!.ledgers.pageInfo.endCursor;
    }
    expect(cursors.length).toBeGreaterThan(5);
    await t.resetUpstream();
    for (const cursor of cursors) {
      for (const args of ['first: 100, after: $cursor', 'last: 100, before: $cursor']) {
        const reply = await post(
          url,
          `query($cursor: String) { ledgers(${args}) { nodes { name source { name } } totalCount } }`,
          { cursor },
          as(blnkKey),
        );
        for (const error of reply.body.errors ?? []) expect(error.extensions?.code).toBe('BAD_USER_INPUT');
        for (const ledger of reply.body.data?.ledgers?.nodes ?? []) expect(ledger.source.name).toBe('blnk-demo');
        for (const name of ALL_SOURCES.filter((source) => source !== 'blnk-demo'))
          expect(reply.text).not.toContain(name);
      }
    }
    expect({ ...t.upstream(), blnk: 0 }).toEqual(untouched);
  });
});

interface KeySetServer {
  url: string;
  hits(): number;
  close(): Promise<void>;
}

/** A JWKS endpoint on 127.0.0.1; `hang` accepts connections and never answers. */
async function startKeySet(keys: JWK[] | 'hang'): Promise<KeySetServer> {
  let hits = 0;
  const server: Server = createServer((_request, response) => {
    hits += 1;
    if (keys === 'hang') return;
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`,
    hits: () => hits,
    close: () => {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

interface TokenOptions {
  claims?: Record<string, unknown>;
  key?: CryptoKey | Uint8Array;
  alg?: string;
  kid?: string;
  issuer?: string;
  audience?: string;
  subject?: string | null;
  /** Seconds since the epoch, or a jose time span from now. */
  exp?: number | string;
  nbf?: number | string;
}

describe('bearer tokens from a JWKS URL', () => {
  let rsa: { publicKey: CryptoKey; privateKey: CryptoKey };
  let keySet: KeySetServer;
  let t: TestGateway;
  let url: string;
  const opsKey = newKey();

  async function token(options: TokenOptions = {}): Promise<string> {
    const jwt = new SignJWT({ balance_sources: ['midaz-demo', 'blnk-demo', 'decommissioned-demo'], ...options.claims })
      .setProtectedHeader({ alg: options.alg ?? 'RS256', kid: options.kid ?? 'key-1', typ: 'JWT' })
      .setIssuer(options.issuer ?? ISSUER)
      .setAudience(options.audience ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(options.exp ?? '5m');
    if (options.subject !== null) jwt.setSubject(options.subject ?? 'reporting-service');
    if (options.nbf !== undefined) jwt.setNotBefore(options.nbf);
    const value = await jwt.sign(options.key ?? rsa.privateKey);
    secrets.push(value);
    return value;
  }
  const bearer = (value: string) => ({ authorization: `Bearer ${value}` });
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256');
    keySet = await startKeySet([{ ...(await exportJWK(rsa.publicKey)), kid: 'key-1', alg: 'RS256', use: 'sig' }]);
    ({ t, url } = await gatewayWith({
      apiKeys: [{ name: 'ops', sha256: sha256(opsKey), sources: ['*'] }],
      jwt: { jwksUrl: keySet.url, issuer: ISSUER, audience: AUDIENCE },
    }));
  });
  afterAll(async () => {
    await t?.close();
    await keySet?.close();
  });

  it('shows a valid token the configured sources its claim names, and reads the key set once', async () => {
    for (let round = 0; round < 3; round += 1) {
      const reply = await post(url, '{ sources { name } }', {}, bearer(await token()));
      expect(reply.body).toEqual({ data: { sources: [{ name: 'midaz-demo' }, { name: 'blnk-demo' }] } });
    }
    const everything = await post(
      url,
      '{ sources { name } }',
      {},
      bearer(await token({ claims: { balance_sources: '*' } })),
    );
    expect(everything.body.data!.sources.map((source: { name: string }) => source.name)).toEqual(ALL_SOURCES);
    // A grant of nothing (an empty list, or only names this gateway does not have) is refused, not
    // answered with empty lists that would look like missing data.
    for (const grant of [[], ['no-such-source']]) {
      const none = await post(
        url,
        '{ sources { name } ledgers { nodes { id } } }',
        {},
        bearer(await token({ claims: { balance_sources: grant } })),
      );
      expect([none.status, none.body.errors?.[0]?.extensions?.code]).toEqual([401, 'UNAUTHENTICATED']);
    }
    expect(keySet.hits()).toBe(1);
  });

  it('accepts the scheme in any case and a token expired within the clock tolerance', async () => {
    const lower = await post(url, '{ sources { name } }', {}, { authorization: `bearer ${await token()}` });
    expect(lower.status).toBe(200);
    const late = await post(url, '{ sources { name } }', {}, bearer(await token({ exp: now() - 10 })));
    expect(late.body.errors).toBeUndefined();
  });

  it('still takes the API keys configured beside it', async () => {
    const reply = await post(url, '{ sources { name } }', {}, { 'x-api-key': opsKey });
    expect(reply.body.data!.sources).toHaveLength(5);
  });

  it('refuses bad tokens with 401 and a bearer challenge, before any vendor is called', async () => {
    const other = await generateKeyPair('RS256');
    const publicPem = await exportSPKI(rsa.publicKey);
    const unsigned = [
      { alg: 'none', typ: 'JWT' },
      { iss: ISSUER, aud: AUDIENCE, sub: 'mallory', exp: now() + 300, balance_sources: '*' },
    ]
      .map((part) => Buffer.from(JSON.stringify(part)).toString('base64url'))
      .join('.')
      .concat('.');
    secrets.push(unsigned);
    const cases: Array<[string, string, RegExp]> = [
      ['expired', await token({ exp: now() - 120 }), /^the bearer token is expired$/],
      ['not yet valid', await token({ nbf: now() + 600 }), /^the bearer token is not valid yet$/],
      [
        'wrong issuer',
        await token({ issuer: 'https://elsewhere.test/' }),
        /^the bearer token is not valid for this gateway$/,
      ],
      ['wrong audience', await token({ audience: 'another-api' }), /^the bearer token is not valid for this gateway$/],
      [
        'other key, same kid',
        await token({ key: other.privateKey }),
        /^the bearer token is not valid for this gateway$/,
      ],
      [
        'unknown kid',
        await token({ key: other.privateKey, kid: 'key-2' }),
        /^the bearer token is not valid for this gateway$/,
      ],
      ['alg none', unsigned, /^the bearer token is not valid for this gateway$/],
      [
        'HS256 keyed with the public key',
        await token({ alg: 'HS256', key: new TextEncoder().encode(publicPem), claims: { balance_sources: '*' } }),
        /^the bearer token is not valid for this gateway$/,
      ],
      ['no sub', await token({ subject: null }), /^the bearer token has no "sub" claim/],
      [
        'no sources claim',
        await token({ claims: { balance_sources: undefined } }),
        /^the bearer token does not name the sources it may see \(claim balance_sources/,
      ],
      [
        'malformed sources claim',
        await token({ claims: { balance_sources: 'blnk-demo' } }),
        /^the bearer token does not name the sources it may see/,
      ],
      ['not a JWT', 'abc.def.ghi', /^the bearer token is not valid for this gateway$/],
      ['not a b64token', 'a b', /^the bearer token is not valid for this gateway$/],
    ];
    await t.resetUpstream();
    for (const [name, value, message] of cases) {
      const reply = await post(url, '{ sources { name } ledgers { nodes { id } } }', {}, bearer(value));
      expect(reply.status, name).toBe(401);
      expect(reply.body, name).toEqual({
        errors: [{ message: expect.stringMatching(message), extensions: { code: 'UNAUTHENTICATED' } }],
      });
      expect(reply.headers.get('www-authenticate'), name).toBe('Bearer realm="balance-gateway", error="invalid_token"');
    }
    expect(t.upstream()).toEqual(untouched);
  });

  it('challenges a request without credentials for a bearer token (RFC 6750 §3: no error code)', async () => {
    const reply = await post(url, '{ sources { name } }');
    expectRefused(reply, /^missing credentials: send an API key in x-api-key or a bearer token in authorization$/);
    expect(reply.headers.get('www-authenticate')).toBe('Bearer realm="balance-gateway"');
  });
});

describe('a bearer token verified with a static public key', () => {
  let t: TestGateway;
  let url: string;
  let es: { publicKey: CryptoKey; privateKey: CryptoKey };
  let rsa: { publicKey: CryptoKey; privateKey: CryptoKey };

  const sign = async (key: CryptoKey, alg: string, claims: Record<string, unknown>) => {
    const value = await new SignJWT(claims)
      .setProtectedHeader({ alg })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('batch')
      .setExpirationTime('2m')
      .sign(key);
    secrets.push(value);
    return value;
  };

  beforeAll(async () => {
    es = await generateKeyPair('ES256');
    rsa = await generateKeyPair('RS256', { extractable: true });
    ({ t, url } = await gatewayWith({
      jwt: {
        publicKey: await exportSPKI(es.publicKey),
        issuer: ISSUER,
        audience: AUDIENCE,
        sourcesClaim: 'tenant_sources',
      },
    }));
  });
  afterAll(async () => {
    await t?.close();
  });

  it('accepts an ES256 token signed by the key, reading the configured claim', async () => {
    const reply = await post(
      url,
      '{ sources { name } }',
      {},
      { authorization: `Bearer ${await sign(es.privateKey, 'ES256', { tenant_sources: ['vonage-demo'] })}` },
    );
    expect(reply.body).toEqual({ data: { sources: [{ name: 'vonage-demo' }] } });
  });

  it('refuses a token signed by another key or algorithm, and one naming its sources in the default claim only', async () => {
    const otherEc = await generateKeyPair('ES256');
    for (const value of [
      await sign(rsa.privateKey, 'RS256', { tenant_sources: '*' }),
      await sign(otherEc.privateKey, 'ES256', { tenant_sources: '*' }),
    ]) {
      expectRefused(
        await post(url, '{ sources { name } }', {}, { authorization: `Bearer ${value}` }),
        /^the bearer token is not valid for this gateway$/,
      );
    }
    const wrongClaim = await sign(es.privateKey, 'ES256', { balance_sources: '*' });
    expectRefused(
      await post(url, '{ sources { name } }', {}, { authorization: `Bearer ${wrongClaim}` }),
      /claim tenant_sources/,
    );
  });

  it('refuses API keys when none are configured', async () => {
    expectRefused(
      await post(url, '{ sources { name } }', {}, { 'x-api-key': newKey() }),
      /^this gateway does not accept API keys: send a bearer token in authorization$/,
    );
  });
});

describe('a token issuer that cannot be reached', () => {
  let rsa: { publicKey: CryptoKey; privateKey: CryptoKey };
  const opsKey = newKey();
  const sign = async () => {
    const value = await new SignJWT({ balance_sources: '*' })
      .setProtectedHeader({ alg: 'RS256', kid: 'key-1' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('svc')
      .setExpirationTime('2m')
      .sign(rsa.privateKey);
    secrets.push(value);
    return value;
  };
  beforeAll(async () => {
    rsa = await generateKeyPair('RS256');
  });

  /** 503 UNAUTHENTICATED with Retry-After: the token may be fine, so the client should keep it. */
  function expectUnavailable(reply: Reply): void {
    expect(reply.status).toBe(503);
    expect(reply.body).toEqual({
      errors: [
        {
          message: expect.stringMatching(/^bearer tokens cannot be checked right now .*try again shortly$/),
          extensions: { code: 'UNAUTHENTICATED' },
        },
      ],
    });
    expect(reply.headers.get('retry-after')).toBe('5');
  }

  it('answers 503 with a coded error when the key set is down, refuses at once while it stays down, and keeps serving API keys', async () => {
    const keySet = await startKeySet([]);
    await keySet.close(); // its port now refuses connections
    const { t, url } = await gatewayWith({
      apiKeys: [{ name: 'ops', sha256: sha256(opsKey), sources: ['*'] }],
      jwt: { jwksUrl: keySet.url, issuer: ISSUER, audience: AUDIENCE },
    });
    try {
      await t.resetUpstream();
      expectUnavailable(await post(url, '{ sources { name } }', {}, { authorization: `Bearer ${await sign()}` }));
      const started = Date.now();
      expectUnavailable(await post(url, '{ sources { name } }', {}, { authorization: `Bearer ${await sign()}` }));
      expect(Date.now() - started).toBeLessThan(500);
      expect(t.upstream()).toEqual(untouched);
      const withKey = await post(url, '{ sources { name } }', {}, { 'x-api-key': opsKey });
      expect(withKey.body.data!.sources).toHaveLength(5);
    } finally {
      await t.close();
    }
  });

  it('gives up on a key set that never answers within a few seconds', async () => {
    const keySet = await startKeySet('hang');
    const { t, url } = await gatewayWith({ jwt: { jwksUrl: keySet.url, issuer: ISSUER, audience: AUDIENCE } });
    try {
      const started = Date.now();
      expectUnavailable(await post(url, '{ sources { name } }', {}, { authorization: `Bearer ${await sign()}` }));
      expect(Date.now() - started).toBeLessThan(4500);
      expect(keySet.hits()).toBe(1);
    } finally {
      await t.close();
      await keySet.close();
    }
  }, 10_000);
});

describe('authenticator logs', () => {
  it('says why a request was refused, never with the credential', async () => {
    const lines: string[] = [];
    const key = newKey();
    const config = parseAuthConfig({ apiKeys: [{ name: 'ops', sha256: sha256(key), sources: ['*'] }] }, ['blnk-demo']);
    const authenticator = createAuthenticator(config, { logger: createLogger('debug', (line) => lines.push(line)) });
    logSets.push(lines);
    const wrong = newKey();
    await expect(
      authenticator.authenticate(new Request('http://gateway.test/graphql', { headers: { 'x-api-key': wrong } })),
    ).rejects.toBeInstanceOf(GatewayError);
    await expect(
      authenticator.authenticate(new Request('http://gateway.test/graphql', { headers: { 'x-api-key': key } })),
    ).resolves.toEqual({ id: 'ops', sources: 'all' });
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 'debug',
      msg: 'request refused',
      reason: 'unknown API key',
    });
  });

  it('warns once when the token issuer is unreachable, naming the failure but not the URL or the token', async () => {
    const lines: string[] = [];
    const keySet = await startKeySet([]);
    await keySet.close();
    const config = parseAuthConfig({ jwt: { jwksUrl: keySet.url, issuer: ISSUER, audience: AUDIENCE } }, ['blnk-demo']);
    const authenticator = createAuthenticator(config, { logger: createLogger('debug', (line) => lines.push(line)) });
    logSets.push(lines);
    const { privateKey } = await generateKeyPair('ES256');
    const token = await new SignJWT({ balance_sources: '*' })
      .setProtectedHeader({ alg: 'ES256' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('svc')
      .setExpirationTime('1m')
      .sign(privateKey);
    secrets.push(token);
    const request = () => new Request('http://gateway.test/graphql', { headers: { authorization: `Bearer ${token}` } });
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const error = await authenticator.authenticate(request()).catch((caught: unknown) => caught);
      expect(error).toBeInstanceOf(GatewayError);
      expect((error as GatewayError).extensions).toMatchObject({ code: 'UNAUTHENTICATED', http: { status: 503 } });
    }
    const warnings = lines.filter((line) => line.includes('"level":"warn"'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0]!)).toMatchObject({
      msg: 'jwt key set unreachable',
      code: 'ECONNREFUSED',
    });
    for (const line of lines) expect(line).not.toContain(new URL(keySet.url).port);
  });
});

describe('server.auth configuration', () => {
  const sources = [
    { name: 'blnk-a', kind: 'blnk', url: 'http://blnk-a:5001' },
    { name: 'blnk-b', kind: 'blnk', url: 'http://blnk-b:5001' },
  ];
  const rawKey = 'k3y-that-must-never-be-echoed-0001';
  const hash = sha256(rawKey);
  const rsaPem = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = rsaPem.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const privatePem = rsaPem.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const weakPem = generateKeyPairSync('rsa', { modulusLength: 1024 })
    .publicKey.export({ type: 'spki', format: 'pem' })
    .toString();
  const jwks = { jwksUrl: 'https://issuer.example/.well-known/jwks.json', issuer: ISSUER, audience: AUDIENCE };
  const key = (fields: Record<string, unknown> = {}) => ({
    name: 'web-eu',
    sha256: hash,
    sources: ['blnk-a'],
    ...fields,
  });

  const parse = (auth: unknown) => parseConfig({ server: { auth }, sources });
  function errorOf(auth: unknown): string {
    try {
      parse(auth);
    } catch (error) {
      if (error instanceof ConfigError) return error.message;
      throw error;
    }
    throw new Error('expected a ConfigError');
  }

  it('is off without server.auth, and reads keys and a JWKS issuer with their defaults', () => {
    expect(parseConfig({ sources }).server.auth).toBeNull();
    const auth = parse({ apiKeys: [key(), key({ name: 'ops', sha256: sha256('other'), sources: ['*'] })], jwt: jwks })!
      .server.auth!;
    expect(auth.apiKeys).toEqual([
      { name: 'web-eu', sha256: Buffer.from(hash, 'hex'), sources: new Set(['blnk-a']) },
      { name: 'ops', sha256: Buffer.from(sha256('other'), 'hex'), sources: 'all' },
    ]);
    expect(auth.jwt).toEqual({
      keys: { jwksUrl: new URL(jwks.jwksUrl) },
      issuer: ISSUER,
      audience: AUDIENCE,
      sourcesClaim: 'balance_sources',
      algorithms: ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519'],
      clockToleranceSeconds: 30,
      maxTokenAgeSeconds: null,
      sourceNames: ['blnk-a', 'blnk-b'],
    });
    // A static RSA key: only the algorithms it can verify; a PEM from an environment variable with \n written out.
    const withPem = parseConfig(
      {
        server: { auth: { jwt: { ...jwks, jwksUrl: undefined, publicKey: '${PEM}', algorithms: ['PS256'] } } },
        sources,
      },
      { PEM: publicPem.replace(/\n/g, '\\n') },
    );
    expect(withPem.server.auth!.jwt!.algorithms).toEqual(['PS256']);
    expect(parse({ jwt: { ...jwks, jwksUrl: undefined, publicKey: publicPem } }).server.auth!.jwt!.algorithms).toEqual([
      'RS256',
      'RS384',
      'RS512',
      'PS256',
      'PS384',
      'PS512',
    ]);
    expect(parse({ jwt: { ...jwks, jwksUrl: 'http://localhost:8080/jwks' } }).server.auth!.jwt).not.toBeNull();
    expect(parse({ jwt: { ...jwks, jwksUrl: 'http://[::1]:8080/jwks' } }).server.auth!.jwt).not.toBeNull();
  });

  it.each([
    [
      'an unknown field of auth',
      { apikeys: [] },
      /^server\.auth\.apikeys: unknown field \(expected one of apiKeys, jwt\)$/,
    ],
    ['neither apiKeys nor jwt', {}, /^server\.auth\.apiKeys: list at least one API key, or configure jwt/],
    ['an empty apiKeys list alone', { apiKeys: [] }, /^server\.auth\.apiKeys: list at least one API key/],
    [
      'the key itself configured',
      { apiKeys: [key({ key: rawKey })] },
      /^server\.auth\.apiKeys\[0\]\.key: unknown field/,
    ],
    [
      'the key in place of its digest',
      { apiKeys: [key({ sha256: rawKey })] },
      /^server\.auth\.apiKeys\[0\]\.sha256: must be the 64 hex digits of the key's SHA-256/,
    ],
    [
      'a digest one digit short',
      { apiKeys: [key({ sha256: hash.slice(1) })] },
      /^server\.auth\.apiKeys\[0\]\.sha256: must be the 64 hex digits/,
    ],
    [
      'a digest with a non-hex digit',
      { apiKeys: [key({ sha256: `${hash.slice(1)}g` })] },
      /^server\.auth\.apiKeys\[0\]\.sha256: must be the 64 hex digits/,
    ],
    ['a missing digest', { apiKeys: [key({ sha256: undefined })] }, /^server\.auth\.apiKeys\[0\]\.sha256: required$/],
    [
      'a bad name',
      { apiKeys: [key({ name: 'Web EU' })] },
      /^server\.auth\.apiKeys\[0\]\.name: use lowercase letters, digits and single dashes$/,
    ],
    [
      'a duplicate name',
      { apiKeys: [key(), key({ sha256: sha256('b') })] },
      /^server\.auth\.apiKeys\[1\]\.name: "web-eu" is used by apiKeys\[0\]$/,
    ],
    [
      'a duplicate digest',
      { apiKeys: [key(), key({ name: 'ops', sha256: hash.toUpperCase() })] },
      /^server\.auth\.apiKeys\[1\]\.sha256: the same key as apiKeys\[0\]$/,
    ],
    [
      'an unconfigured source',
      { apiKeys: [key({ sources: ['blnk-a', 'x'] })] },
      /^server\.auth\.apiKeys\[0\]\.sources\[1\]: no source named "x"$/,
    ],
    [
      'no sources',
      { apiKeys: [key({ sources: [] })] },
      /^server\.auth\.apiKeys\[0\]\.sources: list at least one source name, or "\*" for all$/,
    ],
    ['sources missing', { apiKeys: [key({ sources: undefined })] }, /^server\.auth\.apiKeys\[0\]\.sources: required$/],
    [
      '"*" beside names',
      { apiKeys: [key({ sources: ['blnk-a', '*'] })] },
      /^server\.auth\.apiKeys\[0\]\.sources\[1\]: "\*" \(every source\) stands alone/,
    ],
    [
      'both jwksUrl and publicKey',
      { jwt: { ...jwks, publicKey: publicPem } },
      /^server\.auth\.jwt\.jwksUrl: configure exactly one of jwksUrl and publicKey$/,
    ],
    [
      'neither jwksUrl nor publicKey',
      { jwt: { ...jwks, jwksUrl: undefined } },
      /^server\.auth\.jwt\.jwksUrl: configure exactly one of jwksUrl and publicKey$/,
    ],
    [
      'a plain-http jwksUrl',
      { jwt: { ...jwks, jwksUrl: 'http://issuer.example/jwks' } },
      /^server\.auth\.jwt\.jwksUrl: must be an https URL \(http only for 127\.0\.0\.1, ::1 or localhost\)$/,
    ],
    [
      'a jwksUrl that is no URL',
      { jwt: { ...jwks, jwksUrl: 'issuer.example/jwks' } },
      /^server\.auth\.jwt\.jwksUrl: must be an absolute https URL$/,
    ],
    [
      'a jwksUrl with credentials',
      { jwt: { ...jwks, jwksUrl: `https://user:${rawKey}@issuer.example/jwks` } },
      /^server\.auth\.jwt\.jwksUrl: must not carry credentials$/,
    ],
    [
      'a publicKey that is not PEM',
      { jwt: { ...jwks, jwksUrl: undefined, publicKey: rawKey } },
      /^server\.auth\.jwt\.publicKey: must be a PEM public key \(SPKI/,
    ],
    [
      'a corrupt PEM',
      {
        jwt: {
          ...jwks,
          jwksUrl: undefined,
          publicKey: publicPem
            .split('\n')
            .filter((_, index) => index !== 2)
            .join('\n'),
        },
      },
      /^server\.auth\.jwt\.publicKey: is not a readable PEM public key$/,
    ],
    [
      'a private key',
      { jwt: { ...jwks, jwksUrl: undefined, publicKey: privatePem } },
      /^server\.auth\.jwt\.publicKey: is a private key; configure the issuer's public key only$/,
    ],
    [
      'an RSA key under 2048 bits',
      { jwt: { ...jwks, jwksUrl: undefined, publicKey: weakPem } },
      /^server\.auth\.jwt\.publicKey: cannot verify JWTs/,
    ],
    ['a missing issuer', { jwt: { ...jwks, issuer: undefined } }, /^server\.auth\.jwt\.issuer: required$/],
    ['a missing audience', { jwt: { ...jwks, audience: undefined } }, /^server\.auth\.jwt\.audience: required$/],
    [
      'alg none',
      { jwt: { ...jwks, algorithms: ['RS256', 'none'] } },
      /^server\.auth\.jwt\.algorithms\[1\]: must be one of RS256, .*\(never none or HS\*\)$/,
    ],
    ['HS256', { jwt: { ...jwks, algorithms: ['HS256'] } }, /^server\.auth\.jwt\.algorithms\[0\]: must be one of/],
    [
      'an algorithm the static key cannot verify',
      { jwt: { ...jwks, jwksUrl: undefined, publicKey: publicPem, algorithms: ['ES256'] } },
      /^server\.auth\.jwt\.algorithms\[0\]: does not fit the publicKey \(it verifies RS256, /,
    ],
    [
      'no algorithms',
      { jwt: { ...jwks, algorithms: [] } },
      /^server\.auth\.jwt\.algorithms: list at least one algorithm/,
    ],
    [
      'a clock tolerance out of range',
      { jwt: { ...jwks, clockToleranceSeconds: 3600 } },
      /^server\.auth\.jwt\.clockToleranceSeconds: must be an integer from 0 to 300$/,
    ],
    ['an unknown jwt field', { jwt: { ...jwks, secret: rawKey } }, /^server\.auth\.jwt\.secret: unknown field/],
  ])('refuses %s, naming the field and never the value', (_, auth, message) => {
    const text = errorOf(auth);
    expect(text).toMatch(message);
    expect(text).not.toContain(rawKey);
    expect(text).not.toContain(rawKey.slice(0, 8));
    expect(text.toLowerCase()).not.toContain(hash.slice(8, 24));
    expect(text).not.toContain('MII'); // no PEM body
    expect(text.split('\n')).toHaveLength(1);
  });
});

describe('secrets', () => {
  it('no response and no log line ever contained an API key or token this file sent', () => {
    expect(secrets.length).toBeGreaterThan(20);
    expect(responses.length).toBeGreaterThan(50);
    const logs = logSets.flat();
    expect(logs.length).toBeGreaterThan(0);
    for (const secret of secrets) {
      // Tokens are long; their signature part alone must not show either.
      const parts = [secret, ...secret.split('.').filter((part) => part.length >= 16)];
      for (const part of parts) {
        for (const text of responses) expect(text.includes(part)).toBe(false);
        for (const line of logs) expect(line.includes(part)).toBe(false);
      }
    }
  });
});
