import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { ConfigError, SourceError } from '../../src/errors.ts';
import { createFormanceConnector, type FormanceOptions } from '../../src/providers/formance/index.ts';
import type { AccountRef, Connector } from '../../src/providers/types.ts';
import {
  FORMANCE_DEMO_CLIENT_ID,
  FORMANCE_DEMO_CLIENT_SECRET,
  startFormanceSimulator,
  type FormanceSimulator,
} from '../../src/simulators/formance/index.ts';

/** OAuth2 client credentials against the simulated stack: one token shared, refreshed, re-fetched once on a 401. */

const SOURCE = 'formance-auth';
const CLIENT_ID = 'gateway-client';
const CLIENT_SECRET = 'pa55-w0rd-that-must-never-leak';

const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((item) => item.close()));
});

async function setup(
  simulatorOptions: Parameters<typeof startFormanceSimulator>[0] = {},
  options: Partial<FormanceOptions> = {},
): Promise<{ simulator: FormanceSimulator; connector: Connector }> {
  const simulator = await startFormanceSimulator({
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    ...simulatorOptions,
  });
  const connector = createFormanceConnector(SOURCE, {
    url: simulator.url,
    auth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
    timeoutMs: 5_000,
    ...options,
  });
  opened.push(connector, simulator);
  return { simulator, connector };
}

const refs = (ledgerId: string, ...addresses: string[]): AccountRef[] =>
  addresses.map((accountId) => ({ source: SOURCE, ledgerId, accountId }));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const calls = (simulator: FormanceSimulator) =>
  simulator.requests.map((request) => `${request.method} ${request.path} ${request.status}`);

async function rejection(promise: Promise<unknown>): Promise<SourceError> {
  const error = await promise.then(
    () => null,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(SourceError);
  return error as SourceError;
}

describe('formance: OAuth2 client credentials', () => {
  it('fetches one token for many concurrent calls, with a standard form request, and sends it as a bearer token', async () => {
    const { simulator, connector } = await setup();
    await Promise.all([
      connector.getLedgers([{ source: SOURCE, ledgerId: 'main' }]),
      ...Array.from({ length: 10 }, (_, index) =>
        connector.getAccountBalances(refs('main', `users:${String(index + 1).padStart(4, '0')}`)),
      ),
      connector.getAccounts(refs('treasury', 'world')),
      connector.aggregateBalances?.({ source: SOURCE, ledgerId: 'treasury' }, {}),
    ]);
    expect(simulator.tokenRequests).toBe(1);

    const [token, ...ledgerRequests] = simulator.requests;
    expect(token).toMatchObject({ method: 'POST', path: '/api/auth/oauth/token', query: {}, status: 200 });
    expect(token?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(token?.body))).toEqual({
      grant_type: 'client_credentials',
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });
    const bearers = new Set(ledgerRequests.map((request) => request.headers.authorization));
    expect(bearers.size).toBe(1);
    expect([...bearers][0]).toMatch(/^Bearer [\w-]+$/);
    for (const request of ledgerRequests) {
      expect(request.status).toBe(200);
      expect(JSON.stringify([request.path, request.query, request.headers])).not.toContain(CLIENT_SECRET);
    }
  });

  it('keeps the token until shortly before it expires, then fetches a new one without a 401', async () => {
    const { simulator, connector } = await setup({ tokenTtlSeconds: 1 });
    await connector.getAccounts(refs('main', 'world'));
    await connector.getAccounts(refs('main', 'users:0001'));
    expect(simulator.tokenRequests).toBe(1);
    await sleep(1_000);
    await connector.getAccounts(refs('main', 'users:0002'));
    expect(simulator.tokenRequests).toBe(2);
    expect(simulator.requests.every((request) => request.status === 200)).toBe(true);
    const tokens = simulator.requests
      .filter((request) => request.path.startsWith('/api/ledger/'))
      .map((request) => request.headers.authorization);
    expect(tokens[0]).toBe(tokens[1]);
    expect(tokens[2]).not.toBe(tokens[1]);
  });

  it('fetches a new token and retries once when the cached one is refused', async () => {
    const { simulator, connector } = await setup();
    await connector.getAccounts(refs('main', 'world'));
    simulator.revokeTokens();
    simulator.resetRequests();
    const [world] = await connector.getAccounts(refs('main', 'world'));
    expect(world).toMatchObject({ accountId: 'world' });
    expect(calls(simulator)).toEqual([
      'GET /api/ledger/v2/main/accounts 401',
      'POST /api/auth/oauth/token 200',
      'GET /api/ledger/v2/main/accounts 200',
    ]);
  });

  it('answers SOURCE_AUTH_FAILED for wrong credentials, in one token request for concurrent calls, naming no secret', async () => {
    const { simulator, connector } = await setup(
      {},
      { auth: { clientId: CLIENT_ID, clientSecret: 'wrong-secret-value' } },
    );
    const results = await Promise.all([
      connector.getAccountBalances(refs('main', 'world')),
      connector.getAccounts(refs('treasury', 'world')),
    ]);
    expect(simulator.tokenRequests).toBe(1);
    for (const [error] of results) {
      expect(error).toBeInstanceOf(SourceError);
      expect((error as SourceError).extensions).toEqual({ code: 'SOURCE_AUTH_FAILED', source: SOURCE });
      expect((error as SourceError).message).not.toMatch(/wrong-secret-value|127\.0\.0\.1|oauth/);
    }
    expect(calls(simulator)).toEqual(['POST /api/auth/oauth/token 401']);
    await connector.getAccounts(refs('main', 'world'));
    expect(simulator.tokenRequests).toBe(2); // a failure is not cached
  });

  it('sends no Authorization header without auth, and a bare 401 is SOURCE_AUTH_FAILED', async () => {
    const simulator = await startFormanceSimulator();
    const connector = createFormanceConnector(SOURCE, { url: simulator.url, timeoutMs: 5_000 });
    opened.push(connector, simulator);
    const ledgers = await connector.getLedgers([{ source: SOURCE, ledgerId: 'main' }]); // `_info` needs no token
    expect(ledgers[0]).toMatchObject({ ledgerId: 'main', name: 'main' });
    const [result] = await connector.getAccountBalances(refs('main', 'world'));
    expect((result as SourceError).extensions).toEqual({ code: 'SOURCE_AUTH_FAILED', source: SOURCE });
    expect(simulator.requests.map((request) => request.headers.authorization)).toEqual([undefined, undefined]);
    expect(simulator.tokenRequests).toBe(0);
  });

  it('uses a configured token URL, and an unreachable token endpoint is SOURCE_UNAVAILABLE', async () => {
    const { simulator, connector } = await setup(
      {},
      { auth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, tokenUrl: 'http://127.0.0.1:1/oauth/token' } },
    );
    const error = await rejection(
      connector.aggregateBalances?.({ source: SOURCE, ledgerId: 'main' }, {}) ?? Promise.resolve(),
    );
    expect(error.extensions).toEqual({ code: 'SOURCE_UNAVAILABLE', source: SOURCE });
    expect(error.message).not.toContain(CLIENT_SECRET);
    expect(simulator.requests).toEqual([]);
  });

  it('answers SOURCE_AUTH_FAILED when even a new token is refused, after exactly one retry', async () => {
    // A stack whose auth service issues tokens the ledger does not take (a scope or audience mismatch).
    let tokenCount = 0;
    const ledgerCalls: string[] = [];
    const server = createServer((request, response) => {
      if (request.url === '/api/auth/oauth/token') {
        tokenCount += 1;
        response
          .writeHead(200, { 'content-type': 'application/json' })
          .end(JSON.stringify({ access_token: `t${tokenCount}`, token_type: 'bearer', expires_in: 3600 }));
        return;
      }
      ledgerCalls.push(request.headers.authorization ?? '');
      response.writeHead(401).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    opened.push({ close: () => new Promise<void>((resolve) => server.close(() => resolve())) });
    const connector = createFormanceConnector(SOURCE, {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      auth: { clientId: CLIENT_ID, clientSecret: CLIENT_SECRET },
      timeoutMs: 5_000,
    });
    opened.unshift(connector);

    expect(
      (await rejection(connector.aggregateBalances?.({ source: SOURCE, ledgerId: 'main' }, {}) ?? Promise.resolve()))
        .code,
    ).toBe('SOURCE_AUTH_FAILED');
    expect(ledgerCalls).toEqual(['Bearer t1']); // a token issued for this call is not retried
    expect(
      (await rejection(connector.aggregateBalances?.({ source: SOURCE, ledgerId: 'main' }, {}) ?? Promise.resolve()))
        .code,
    ).toBe('SOURCE_AUTH_FAILED');
    expect(ledgerCalls).toEqual(['Bearer t1', 'Bearer t1', 'Bearer t2']); // cached one refused: one new token, one retry
  });

  it('refuses a bad configuration when it is read, naming the field and no value', () => {
    const create = (options: Record<string, unknown>) => () =>
      parseConfig({
        sources: [
          {
            name: SOURCE,
            kind: 'formance',
            url: 'https://acme.eu-west-1.formance.cloud',
            timeoutMs: 1_000,
            ...options,
          },
        ],
      });
    expect(create({ url: 'ftp://example.com' })).toThrow(ConfigError);
    expect(create({ url: 'https://user:pass@example.com' })).toThrow(/^sources\[0\]\.url: /);
    expect(create({ timeoutMs: 0 })).toThrow(/^sources\[0\]\.timeoutMs: /);
    expect(create({ auth: { clientId: 'id', clientSecret: '' } })).toThrow(/^sources\[0\]\.auth\.clientSecret: /);
    expect(create({ auth: { clientId: 'id', clientSecret: CLIENT_SECRET, tokenUrl: 'not a url' } })).toThrow(
      /^sources\[0\]\.auth\.tokenUrl: /,
    );
    expect(
      create({ auth: { clientId: 'id', clientSecret: CLIENT_SECRET, tokenUrl: `ftp://x/${CLIENT_SECRET}` } }),
    ).toThrow(/^(?!.*pa55)sources\[0\]\.auth\.tokenUrl: /);
    expect(FORMANCE_DEMO_CLIENT_ID).not.toBe('');
    expect(FORMANCE_DEMO_CLIENT_SECRET).not.toBe('');
  });
});
