import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/logger.ts';

/**
 * A Vonage account whose answers are not all readable, served by a small hostile Vonage in the
 * test: an unreadable subaccount balance fails that account's money fields only (as a malformed
 * amount does at every other vendor), and one api_key listed twice is a bad response.
 */

const API_KEY = 'a1b2c3d4';
const subaccount = (apiKey: string, balance: string) =>
  `{"api_key":"${apiKey}","name":"${apiKey}","primary_account_api_key":"${API_KEY}","use_primary_account_balance":false,"created_at":"2025-03-01T10:00:00.000Z","suspended":false,"balance":${balance},"credit_limit":null}`;

let subaccounts: string[] = [];
let primaryValue = '10.17127500';
let server: Server;
let url: string;
const gateways: Gateway[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    const send = (body: string) => response.writeHead(200, { 'content-type': 'application/json' }).end(body);
    if (request.url === '/account/get-balance') return send(`{"value":${primaryValue},"autoReload":false}`);
    if (request.url === `/accounts/${API_KEY}/subaccounts`)
      return send(
        `{"_embedded":{"primary_account":${subaccount(API_KEY, primaryValue)},"subaccounts":[${subaccounts.join(',')}]}}`,
      );
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterEach(() => {
  subaccounts = [];
  primaryValue = '10.17127500';
});
afterAll(async () => {
  for (const gateway of gateways) await gateway.close();
  await new Promise((resolve) => server.close(resolve));
});

async function ask(query: string) {
  const gateway = createGateway(
    parseConfig({
      server: { cursorSecret: 'test-cursor-secret-0123456789' },
      sources: [{ name: 'sms', kind: 'vonage', url, auth: { apiKey: API_KEY, apiSecret: 'vonage-secret-0001' } }],
    }),
    { logger: createLogger('error', () => undefined) },
  );
  gateways.push(gateway);
  const response = await gateway.yoga.fetch('http://gateway.test/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as {
    data: { ledgers: { nodes: Array<{ accounts: { nodes: unknown[] } | null; balances?: unknown }> } } | null;
    errors?: Array<{ message: string; path: Array<string | number>; extensions: Record<string, unknown> }>;
  };
}

const ACCOUNTS = '{ ledgers { nodes { accounts { nodes { address balances { total { amount } } } } } } }';

describe('vonage answers', () => {
  it('fails only the money fields of the account whose balance is unreadable; every account is still listed', async () => {
    subaccounts = [
      subaccount('sub00001', '1.50000000'),
      subaccount('sub00002', '"12,5"'),
      subaccount('sub00003', '1e-7'),
      subaccount('sub00004', '0.123456789'),
      subaccount('sub00005', '"1.2.3"'),
    ];
    const answer = await ask(ACCOUNTS);
    const balancesOf = (balance: string | null) => (balance === null ? null : [{ total: { amount: balance } }]);
    expect(answer.data?.ledgers.nodes[0]?.accounts?.nodes).toEqual([
      { address: API_KEY, balances: balancesOf('10.17127500') },
      { address: 'sub00001', balances: balancesOf('1.50000000') },
      { address: 'sub00002', balances: null },
      { address: 'sub00003', balances: null },
      { address: 'sub00004', balances: null },
      { address: 'sub00005', balances: null },
    ]);
    expect(answer.errors?.map((error) => [error.path.join('.'), error.extensions])).toEqual(
      [2, 3, 4, 5].map((index) => [
        `ledgers.nodes.0.accounts.nodes.${index}.balances`,
        { code: 'SOURCE_BAD_RESPONSE', source: 'sms' },
      ]),
    );
  });

  it("fails only the primary's money when its value is unreadable", async () => {
    primaryValue = '"n/a"';
    subaccounts = [subaccount('sub00001', '1.50000000')];
    const answer = await ask(ACCOUNTS);
    expect(answer.data?.ledgers.nodes[0]?.accounts?.nodes).toEqual([
      { address: API_KEY, balances: null },
      { address: 'sub00001', balances: [{ total: { amount: '1.50000000' } }] },
    ]);
    expect(answer.errors).toHaveLength(1);
  });

  it('fails a list of balances holding an unreadable one, as at the other vendors', async () => {
    subaccounts = [subaccount('sub00001', '1.50000000'), subaccount('sub00002', '"x"')];
    const answer = await ask('{ ledgers { nodes { balances { nodes { total { amount } } } } } }');
    expect(answer.data?.ledgers.nodes).toEqual([{ balances: null }]);
    expect(answer.errors?.map((error) => error.extensions.code)).toEqual(['SOURCE_BAD_RESPONSE']);
  });

  it('refuses an answer that lists one api_key twice (two accounts, two balances, one id)', async () => {
    for (const twice of [
      [subaccount('sub00001', '1.50000000'), subaccount('sub00001', '2.00000000')],
      [subaccount(API_KEY, '3.00000000')],
    ]) {
      subaccounts = twice;
      const answer = await ask(ACCOUNTS);
      expect(answer.data?.ledgers.nodes[0]?.accounts).toBeNull();
      expect(answer.errors?.map((error) => [error.extensions.code, error.message])).toEqual([
        [
          'SOURCE_BAD_RESPONSE',
          'source "sms" sent a response the gateway cannot read: two accounts have the same api_key',
        ],
      ]);
    }
  });
});
