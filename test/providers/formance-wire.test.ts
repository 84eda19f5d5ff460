import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError, SourceError } from '../../src/errors.ts';
import { createFormanceConnector } from '../../src/providers/formance/index.ts';
import type { BalanceModel, Connector, LedgerRef } from '../../src/providers/types.ts';
import {
  FORMANCE_DEMO_CLIENT_ID,
  FORMANCE_DEMO_CLIENT_SECRET,
  startFormanceSimulator,
} from '../../src/simulators/formance/index.ts';
import { walk } from './contract.ts';
import { checkAgainstSpec, specsAvailable } from './openapi.ts';

/** What goes over the wire: requests the vendor spec allows, and vendor bodies the gateway must refuse. */

const SOURCE = 'formance-wire';

describe('formance: requests conform to the ledger v2.4.6 OpenAPI spec', () => {
  it.skipIf(!specsAvailable)(
    'sends only documented paths and parameters, plus the server-read ones the spec omits',
    async () => {
      const simulator = await startFormanceSimulator();
      const connector = createFormanceConnector(SOURCE, {
        url: simulator.url,
        auth: { clientId: FORMANCE_DEMO_CLIENT_ID, clientSecret: FORMANCE_DEMO_CLIENT_SECRET },
        timeoutMs: 5_000,
      });
      try {
        const main: LedgerRef = { source: SOURCE, ledgerId: 'main' };
        const sandbox: LedgerRef = { source: SOURCE, ledgerId: 'sandbox' };
        await walk(connector.listLedgers(), 'forward', () => 2);
        await walk(connector.listAccounts(main, { address: 'users:' }), 'backward', () => 60);
        await walk(connector.listBalances(main, { asset: 'USD' }), 'forward', () => 90);
        await walk(connector.listBalances(sandbox, {}), 'backward', () => 3);
        await connector.getAccounts([
          { ...main, accountId: 'world' },
          { ...sandbox, accountId: 'test:carol' },
        ]);
        await connector.getAccountBalances([
          { ...main, accountId: 'world' },
          { ...sandbox, accountId: 'test:carol' },
          { ...sandbox, accountId: 'nobody:404' },
        ]);
        await connector.aggregateBalances?.(main, { address: 'merchants:' });
        const paths = new Set(
          simulator.requests.map((request) => request.path.replace(/\/(main|sandbox)(?=\/|$)/, '/{ledger}')),
        );
        expect(paths).toEqual(
          new Set([
            '/api/auth/oauth/token',
            '/api/ledger/_info',
            '/api/ledger/v2/{ledger}',
            '/api/ledger/{ledger}/accounts',
            '/api/ledger/{ledger}/balances',
            '/api/ledger/v2/{ledger}/volumes',
            '/api/ledger/v2/{ledger}/accounts',
            '/api/ledger/{ledger}/aggregate/balances',
          ]),
        );
        const problems = checkAgainstSpec(simulator.requests, {
          file: 'formance/ledger-v2.4.6-openapi.yaml',
          pathPrefix: '/api/ledger',
          extraParameters: {
            // The v2 filter goes in `query`: the server reads it before the GET body (internal/api/v2/common.go
            // getQueryBuilder), and the SDK overlay (formance-sdk-typescript overlay.yaml) documents it the same way.
            '/v2/{ledger}/accounts': ['query'],
            '/v2/{ledger}/volumes': ['query'],
            // v1 reads `expand` into its resource query (internal/api/v1/utils.go getResourceQuery); the v1 spec omits it.
            '/{ledger}/accounts': ['expand'],
          },
          // The stack's auth service, not the ledger API.
          ignorePaths: [/^\/api\/auth\//],
        });
        expect(problems).toEqual([]);
      } finally {
        await connector.close();
        await simulator.close();
      }
    },
  );
});

/** A stand-in ledger that answers canned bodies, to see what the connector does with what a real one never sends. */
describe('formance: vendor bodies the gateway refuses or reads exactly', () => {
  const replies = new Map<string, { status: number; body: string }>();
  let server: Server;
  let connector: Connector;
  const main: LedgerRef = { source: SOURCE, ledgerId: 'main' };
  const reply = (path: string, body: unknown, status = 200) =>
    replies.set(path, { status, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const page = (data: string) => `{"cursor":{"pageSize":100,"hasMore":false,"data":${data}}}`;

  beforeAll(async () => {
    server = createServer((request, response) => {
      const found = replies.get(new URL(request.url ?? '/', 'http://stub').pathname);
      if (!found) return void response.writeHead(404, { 'content-type': 'text/plain' }).end('404 page not found');
      response.writeHead(found.status, { 'content-type': 'application/json' }).end(found.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    connector = createFormanceConnector(SOURCE, {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      timeoutMs: 2_000,
    });
    reply('/api/ledger/v2/main', { data: { name: 'main', features: { MOVES_HISTORY: 'ON' } } });
    reply('/api/ledger/v2/other', { data: { name: 'other', features: { MOVES_HISTORY: 'ON' } } });
  });
  afterAll(async () => {
    await connector.close();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const firstBalances = async (): Promise<BalanceModel[]> =>
    walk(connector.listBalances(main, {}), 'forward', () => 50);
  const failure = async (promise: Promise<unknown>): Promise<SourceError> => {
    const error = await promise.then(
      () => null,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).message).not.toMatch(/127\.0\.0\.1|\/api\/ledger|USD\/2|\{/);
    return error as SourceError;
  };

  it('reads integers of any size exactly, as numbers or as strings', async () => {
    reply(
      '/api/ledger/main/balances',
      page('[{"users:1":{"USD/2":18446744073709551617,"COIN":"-340282366920938463463374607431768211457","EUR/6":0}}]'),
    );
    const balances = await firstBalances();
    expect(balances.map((balance) => [balance.asset, balance.total.minorUnits, balance.total.scale])).toEqual([
      ['USD', 18_446_744_073_709_551_617n, 2],
      ['COIN', -340_282_366_920_938_463_463_374_607_431_768_211_457n, 0],
      ['EUR', 0n, 6],
    ]);
  });

  for (const [label, amount] of [
    ['a fraction', '12.5'],
    ['an exponent', '1e21'],
    ['a word', '"ten"'],
    ['null', 'null'],
  ] as const) {
    it(`answers SOURCE_BAD_RESPONSE for an amount that is ${label}`, async () => {
      reply('/api/ledger/main/balances', page(`[{"users:1":{"USD/2":${amount}}}]`));
      expect((await failure(firstBalances())).code).toBe('SOURCE_BAD_RESPONSE');
    });
  }

  it('answers SOURCE_BAD_RESPONSE for an asset code Formance would not have, a page without its cursor, or no JSON', async () => {
    reply('/api/ledger/main/balances', page('[{"users:1":{"usd":1}}]'));
    expect((await failure(firstBalances())).code).toBe('SOURCE_BAD_RESPONSE');
    reply('/api/ledger/main/balances', '{"cursor":{"pageSize":100,"hasMore":true,"data":[]}}');
    expect((await failure(firstBalances())).code).toBe('SOURCE_BAD_RESPONSE');
    reply('/api/ledger/main/balances', '<html>upstream error</html>');
    expect((await failure(firstBalances())).code).toBe('SOURCE_BAD_RESPONSE');
  });

  it('fails only the ledger group whose body is bad', async () => {
    reply(
      '/api/ledger/v2/main/accounts',
      page('[{"address":"users:1","metadata":{},"volumes":{"USD/2":{"input":1.5,"output":0,"balance":1.5}}}]'),
    );
    reply(
      '/api/ledger/v2/other/accounts',
      page(
        '[{"address":"users:1","metadata":{"tier":"gold"},"volumes":{"USD/2":{"input":900719925474099300,"output":7,"balance":900719925474099293}}}]',
      ),
    );
    const results = await connector.getAccountBalances([
      { ...main, accountId: 'users:1' },
      { source: SOURCE, ledgerId: 'other', accountId: 'users:1' },
    ]);
    expect((results[0] as SourceError).code).toBe('SOURCE_BAD_RESPONSE');
    expect(
      (results[1] as BalanceModel[]).map((balance) => [
        balance.total.minorUnits,
        balance.credits?.minorUnits,
        balance.debits?.minorUnits,
      ]),
    ).toEqual([[900_719_925_474_099_293n, 900_719_925_474_099_300n, 7n]]);
  });

  it('maps 404s by their error code: LEDGER_NOT_FOUND is NOT_FOUND, a bare 404 is not', async () => {
    reply('/api/ledger/v2/gone/accounts', { errorCode: 'LEDGER_NOT_FOUND', errorMessage: 'ledger not found' }, 404);
    const [gone] = await connector.getAccounts([{ source: SOURCE, ledgerId: 'gone', accountId: 'users:1' }]);
    expect(gone).toBeInstanceOf(NotFoundError);
    const [proxy] = await connector.getAccounts([{ source: SOURCE, ledgerId: 'unrouted', accountId: 'users:1' }]);
    expect((proxy as SourceError).code).toBe('SOURCE_BAD_RESPONSE');
    expect(
      (await failure(walk(connector.listAccounts({ source: SOURCE, ledgerId: 'unrouted' }, {}), 'forward', () => 5)))
        .code,
    ).toBe('SOURCE_BAD_RESPONSE');
  });

  it('answers SOURCE_UNAVAILABLE when the ledger keeps failing', async () => {
    reply(
      '/api/ledger/_info',
      { errorCode: 'INTERNAL', errorMessage: 'Internal error. Consult logs/traces to have more details.' },
      503,
    );
    const [result] = await connector.getLedgers([main]);
    expect((await failure(Promise.reject(result))).extensions).toEqual({ code: 'SOURCE_UNAVAILABLE', source: SOURCE });
    expect((await failure(walk(connector.listLedgers(), 'forward', () => 5))).code).toBe('SOURCE_UNAVAILABLE');
  });
});
