import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { ConfigError } from '../src/errors.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

const URL = 'http://gateway.test/graphql';
const post = (query: string, headers: Record<string, string> = {}) => ({
  method: 'POST',
  headers: { 'content-type': 'application/json', ...headers },
  body: JSON.stringify({ query }),
});

describe('browser safety in the default (development) mode', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({
      server: { corsOrigins: ['https://app.example.com', 'https://ops.example.com'] },
    });
  });
  afterAll(() => gateway.close());

  it('CORS answers only the allowed origins, exactly, without credentials; any other origin gets no CORS header', async () => {
    const preflight = (origin: string) =>
      gateway.gateway.yoga.fetch(URL, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, x-api-key',
        },
      });
    const allowed = await preflight('https://ops.example.com');
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://ops.example.com');
    expect(allowed.headers.get('access-control-allow-credentials')).toBeNull();
    expect(allowed.headers.get('access-control-allow-headers')).toContain('x-api-key');
    for (const origin of ['https://evil.example', 'https://app.example.com.evil.example', 'null']) {
      const refused = await preflight(origin);
      expect(refused.headers.get('access-control-allow-origin')).toBeNull();
      const simple = await gateway.gateway.yoga.fetch(URL, post('{ sources { name } }', { origin }));
      expect(simple.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('CSRF: a GET or a form/text POST without a preflight-only header is refused before anything runs', async () => {
    await gateway.resetUpstream();
    const query = encodeURIComponent('{ ledgers(first: 1) { nodes { name } } }');
    const bare = await gateway.gateway.yoga.fetch(`${URL}?query=${query}`, { headers: { accept: 'application/json' } });
    expect(bare.status).toBe(403);
    expect(await bare.json()).toEqual({
      errors: [{ message: expect.stringContaining('x-graphql-yoga-csrf'), extensions: { code: 'CSRF_PREVENTED' } }],
    });
    const text = await gateway.gateway.yoga.fetch(URL, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: JSON.stringify({ query: '{ sources { name } }' }),
    });
    expect(text.status).toBe(403);
    // A browser adds cached Basic credentials (a proxy's login) to a cross-site form post by itself:
    // only a bearer token proves a preflight. This form would otherwise top up the Vonage account.
    const form = (authorization: string) =>
      gateway.gateway.yoga.fetch(URL, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization },
        body: new URLSearchParams({
          query: 'mutation { topUp(input: { source: "vonage-demo", trx: "forged" }) { outcome } }',
        }).toString(),
      });
    expect((await form('Basic dXNlcjpwYXNz')).status).toBe(403);
    expect((gateway.demo.simulators.vonage as unknown as { topUps: string[] }).topUps).not.toContain('forged');
    expect(Object.values(gateway.upstream()).every((count) => count === 0)).toBe(true);
    const withHeader = await gateway.gateway.yoga.fetch(`${URL}?query=${query}`, {
      headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' },
    });
    expect(withHeader.status).toBe(200);
    expect((await withHeader.json()).data.ledgers.nodes).toHaveLength(1);
  });

  it('/health and /ready answer without calling a vendor; /ready turns 503 while draining', async () => {
    await gateway.resetUpstream();
    expect((await gateway.gateway.yoga.fetch('http://gateway.test/health')).status).toBe(200);
    const ready = await gateway.gateway.yoga.fetch('http://gateway.test/ready');
    expect([ready.status, await ready.json()]).toEqual([200, { status: 'ready' }]);
    gateway.gateway.readiness.draining = true;
    const draining = await gateway.gateway.yoga.fetch('http://gateway.test/ready');
    expect([draining.status, await draining.json()]).toEqual([503, { status: 'draining' }]);
    gateway.gateway.readiness.draining = false;
    expect(Object.values(gateway.upstream()).every((count) => count === 0)).toBe(true);
  });

  it('gives every request an id: returned in x-request-id, kept from a sane caller id, sent to Midaz, written in log lines', async () => {
    const fresh = await gateway.gateway.yoga.fetch(URL, post('{ sources { name } }'));
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const hostile = await gateway.gateway.yoga.fetch(
      URL,
      post('{ sources { name } }', { 'x-request-id': 'bad id\u0001<script>' }),
    );
    expect(hostile.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    await gateway.resetUpstream();
    const midaz = gateway.demo.simulators.midaz;
    const id = 'trace-0123456789abcdef';
    const response = await gateway.gateway.yoga.fetch(
      URL,
      post('{ ledgers(first: 100) { nodes { name source { name } } } }', { 'x-request-id': id }),
    );
    expect(response.headers.get('x-request-id')).toBe(id);
    expect(midaz.requests.length).toBeGreaterThan(0);
    expect(midaz.requests.every((request) => request.headers['x-request-id'] === id)).toBe(true);

    // A failing vendor's warn line carries the id of the request it failed.
    const lines = gateway.logs.length;
    const failing = 'failing-request-0001';
    await gateway.gateway.yoga.fetch(
      URL,
      post('{ node(id: "TGVkZ2VyOmZvcm1hbmNlLWRlbW86Om5vcGU=") { id } ledgers(first: 1) { nodes { name } } }', {
        'x-request-id': failing,
      }),
    );
    const written = gateway.logs
      .slice(lines)
      .map((line) => JSON.parse(line) as { requestId?: string; caller?: string; msg?: string });
    expect(written.length).toBeGreaterThan(0);
    expect(written.every((line) => line.requestId === failing)).toBe(true);
    // Once the caller is known (after authentication), lines name it too.
    expect(written.find((line) => line.msg === 'field error')?.caller).toBe('anonymous');
  });
});

describe('production mode', () => {
  let gateway: TestGateway;
  beforeAll(async () => {
    gateway = await startTestGateway({ server: { mode: 'production' } });
  });
  afterAll(() => gateway.close());

  it('serves no GraphiQL, refuses introspection and gives no field suggestions', async () => {
    const page = await gateway.gateway.yoga.fetch(URL, {
      headers: { accept: 'text/html', 'x-graphql-yoga-csrf': '1' },
    });
    expect(await page.text()).not.toContain('<html');
    const introspection = await gateway.query('{ __schema { types { name } } }');
    expect(introspection.body.data ?? null).toBeNull();
    expect(introspection.body.errors?.[0]?.message).toMatch(/introspection/i);
    const typo = await gateway.query('{ ledgerz { nodes { name } } }');
    expect(typo.body.errors?.[0]?.message).toBe('Cannot query field "ledgerz" on type "Query".');
    expect(typo.text).not.toContain('Did you mean');
    // Nor in the variable errors execution reports (a misspelled input field).
    const variable = await gateway.query(
      'query($f: AccountFilter) { ledgers(first: 1) { nodes { accounts(first: 1, filter: $f) { nodes { address } } } } }',
      { f: { adress: 'x' } },
    );
    expect(variable.body.errors?.[0]?.message).toMatch(/^Variable "\$f" got invalid value/);
    expect(variable.text).not.toContain('Did you mean');
    expect((await gateway.query('{ sources { name } }')).body.data).toEqual({
      sources: expect.arrayContaining([{ name: 'blnk-demo' }]),
    });
  });

  it('development mode does suggest (the production check is not vacuous)', async () => {
    const development = await startTestGateway();
    try {
      expect((await development.query('{ ledgerz { nodes { name } } }')).text).toContain('Did you mean');
    } finally {
      await development.close();
    }
  });

  it('GraphiQL cannot be switched on in production', () => {
    expect(() =>
      parseConfig({
        server: { mode: 'production', graphiql: true },
        sources: [{ name: 'b', kind: 'blnk', url: 'http://b' }],
      }),
    ).toThrow(new ConfigError('server.graphiql: GraphiQL is off in production mode'));
  });
});

describe('persisted-operations-only mode', () => {
  const operation = 'query Sources { sources { name kind } }';
  const hash = createHash('sha256').update(operation).digest('hex');
  let gateway: TestGateway;
  let file: string;
  beforeAll(async () => {
    file = join(await mkdtemp(join(tmpdir(), 'persisted-')), 'operations.json');
    await writeFile(file, JSON.stringify({ [hash]: operation }));
    gateway = await startTestGateway({ server: { persistedOperations: file } });
  });
  afterAll(() => gateway.close());

  const send = (body: unknown) =>
    gateway.gateway.yoga.fetch(URL, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  it('runs a listed operation by hash and refuses anything else with a coded error, before any vendor call', async () => {
    const listed = await send({ extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
    expect(await listed.json()).toEqual({
      data: { sources: expect.arrayContaining([{ name: 'formance-demo', kind: 'FORMANCE' }]) },
    });
    await gateway.resetUpstream();
    const arbitrary = await send({ query: '{ ledgers(first: 1) { nodes { name } } }' });
    expect((await arbitrary.json()).errors[0].extensions.code).toBe('PERSISTED_QUERY_ONLY');
    const unknown = await send({ extensions: { persistedQuery: { version: 1, sha256Hash: 'f'.repeat(64) } } });
    expect((await unknown.json()).errors[0].extensions.code).toBe('PERSISTED_QUERY_NOT_FOUND');
    expect(Object.values(gateway.upstream()).every((count) => count === 0)).toBe(true);
  });

  it('refuses a file whose hash does not match its operation, naming the field', async () => {
    const forged = join(await mkdtemp(join(tmpdir(), 'persisted-')), 'forged.json');
    await writeFile(forged, JSON.stringify({ [hash]: '{ ledgers(first: 100) { nodes { name } } }' }));
    expect(() =>
      parseConfig({ server: { persistedOperations: forged }, sources: [{ name: 'b', kind: 'blnk', url: 'http://b' }] }),
    ).toThrow(
      new ConfigError(
        `server.persistedOperations: ${forged} has an entry whose hash is not the SHA-256 of its operation`,
      ),
    );
  });
});

describe('server settings', () => {
  const sources = [{ name: 'b', kind: 'blnk', url: 'http://b' }];
  it.each([
    [
      { corsOrigins: ['*'] },
      'server.corsOrigins[0]: must be an origin such as https://app.example.com (scheme, host and port only; no wildcard)',
    ],
    [
      { corsOrigins: ['https://app.example.com/path'] },
      'server.corsOrigins[0]: must be an origin such as https://app.example.com (scheme, host and port only; no wildcard)',
    ],
    [{ mode: 'prod' }, 'server.mode: must be development or production'],
    [{ drainMs: -1 }, 'server.drainMs: must be an integer from 0 to 600000'],
  ])('%j is refused', (server, message) => {
    expect(() => parseConfig({ server, sources })).toThrow(new ConfigError(message));
  });
});
