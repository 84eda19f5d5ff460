import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  assetOf,
  CURRENCIES,
  currentTotal,
  GATE_MAX_PAGE_SIZE,
  startLedgerEnterpriseSimulator,
  type LedgerEnterpriseSimulatorHandle,
} from '../../src/simulators/ledger-enterprise/index.ts';
import { specsAvailable, specsDirectory } from './openapi.ts';

const USER = 'sim-user';
const KEY = 'sim-key';

type Schema = {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  nullable?: boolean;
  enum?: unknown[];
  oneOf?: Schema[];
  allOf?: Schema[];
  pattern?: string;
};

/** The spec's own schema checks, enough for the shapes the simulator writes: types, required fields, enums, patterns, oneOf as anyOf. */
function validate(value: unknown, schema: Schema, schemas: Record<string, Schema>, path = '$'): string[] {
  if (schema.$ref) return validate(value, schemas[schema.$ref.split('/').at(-1) ?? ''] ?? {}, schemas, path);
  if (value === null) return schema.nullable || schema.enum?.includes(null) ? [] : [`${path}: null`];
  if (schema.allOf) return schema.allOf.flatMap((part) => validate(value, part, schemas, path));
  // The spec's oneOf lists have no discriminator and no additionalProperties: false (a BitcoinBalances
  // is also an AccountBalances, every governance rule matches every rule schema), so one match suffices.
  if (schema.oneOf)
    return schema.oneOf.some((option) => validate(value, option, schemas, path).length === 0)
      ? []
      : [`${path}: matches none of oneOf`];
  const problems: string[] = [];
  const type = schema.type ?? (schema.properties ? 'object' : undefined);
  if (type === 'object') {
    if (typeof value !== 'object' || Array.isArray(value)) return [`${path}: not an object`];
    for (const name of schema.required ?? []) if (!(name in value)) problems.push(`${path}.${name}: missing`);
    for (const [name, item] of Object.entries(value))
      if (schema.properties?.[name])
        problems.push(...validate(item, schema.properties[name], schemas, `${path}.${name}`));
  } else if (type === 'array') {
    if (!Array.isArray(value)) return [`${path}: not an array`];
    for (const [index, item] of value.entries())
      problems.push(...validate(item, schema.items ?? {}, schemas, `${path}[${index}]`));
  } else if (type === 'string') {
    if (typeof value !== 'string') return [`${path}: not a string`];
    if (schema.pattern && !new RegExp(schema.pattern).test(value))
      problems.push(`${path}: does not match ${schema.pattern}`);
  } else if (type === 'integer' && !Number.isInteger(value)) problems.push(`${path}: not an integer`);
  else if (type === 'boolean' && typeof value !== 'boolean') problems.push(`${path}: not a boolean`);
  if (schema.enum && !schema.enum.includes(value)) problems.push(`${path}: ${JSON.stringify(value)} not in enum`);
  return problems;
}

describe('ledger-enterprise simulator: server behaviour', () => {
  let simulator: LedgerEnterpriseSimulatorHandle;
  let schemas: Record<string, Schema> = {};
  beforeAll(async () => {
    simulator = await startLedgerEnterpriseSimulator({ apiUser: USER, apiKey: KEY });
    if (specsAvailable)
      schemas = (
        parse(readFileSync(join(specsDirectory, 'ledger-enterprise/ledger-enterprise-vault-openapi.yml'), 'utf8')) as {
          components: { schemas: Record<string, Schema> };
        }
      ).components.schemas;
  });
  afterAll(() => simulator.close());

  const call = async (
    path: string,
    headers: Record<string, string> = { 'X-Ledger-API-User': USER, 'X-Ledger-API-Key': KEY },
  ) => {
    const response = await fetch(`${simulator.url}${path}`, { headers });
    const text = await response.text();
    return {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
      text,
      json: JSON.parse(text) as Record<string, unknown>,
    };
  };
  const conforms = (value: unknown, schema: string) =>
    expect(validate(value, { $ref: `#/components/schemas/${schema}` }, schemas)).toEqual([]);
  const account = (test: (item: LedgerEnterpriseSimulatorHandle['data']['accounts'][number]) => boolean) => {
    const found = simulator.data.accounts.find(test);
    if (!found) throw new Error('no such account');
    return found;
  };

  it('seeds a workspace of more than 250 accounts: bitcoin (8), ethereum (18, amounts above 2^53), ERC-20 tokens, solana (9), as strings', async () => {
    expect(simulator.data.accounts.length).toBeGreaterThan(250);
    const magnitudes = new Map(
      simulator.data.accounts.map((item) => [assetOf(item.currency), item.currency.magnitude]),
    );
    expect(magnitudes.get('bitcoin')).toBe(8);
    expect(magnitudes.get('ethereum')).toBe(18);
    expect(magnitudes.get('solana')).toBe(9);
    expect(magnitudes.get(assetOf(CURRENCIES.usdt))).toBe(6);
    expect(simulator.data.accounts.some((item) => currentTotal(item) > BigInt(Number.MAX_SAFE_INTEGER))).toBe(true);
    const token = account((item) => item.currency.type === 'Erc20');
    const node = (await call(`/accounts/${token.id}`)).json;
    expect(node).toMatchObject({
      type: 'Erc20',
      currency: 'ethereum',
      contract_address: token.currency.contractAddress,
      parent: token.parent,
      balance: currentTotal(token).toString(),
    });
    expect((await call(`/accounts/${token.parent}`)).json).toMatchObject({ type: 'Ethereum', address: node.address });
    expect(node.created_on).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{6})?\+00:00$/);
  });

  it('needs X-Ledger-API-User and, on a LAM with a key, X-Ledger-API-Key: else 401 Error', async () => {
    const attempts: Array<Record<string, string>> = [
      {},
      { 'X-Ledger-API-User': USER },
      { 'X-Ledger-API-User': 'nobody', 'X-Ledger-API-Key': KEY },
      { 'X-Ledger-API-User': USER, 'X-Ledger-API-Key': 'wrong' },
    ];
    for (const headers of attempts) {
      const reply = await call('/accounts', headers);
      expect(reply.status).toBe(401);
      expect(Object.keys(reply.json).sort()).toEqual(['message', 'name', 'status_code']);
      expect(reply.json.status_code).toBe(401);
    }
  });

  it('pages the search with page and page_size (default 20; 0 and -1 the gate maximum, 100), newest first, integer cursors', async () => {
    const first = await call('/accounts');
    const edges = first.json.edges as Array<{ cursor: number; node: { id: number; created_on: string } }>;
    expect(edges.map((edge) => edge.cursor)).toEqual(Array.from({ length: 20 }, (_, index) => index));
    expect(first.json.page_info).toEqual({ count: simulator.data.accounts.length, has_next_page: true });
    expect(edges.map((edge) => edge.node.id)).toEqual(
      simulator.truth
        .accounts('workspace')
        .slice(0, 20)
        .map((item) => Number(item.id)),
    );
    expect(edges[0]?.node.id).toBe(simulator.data.accounts.length); // the newest account first
    for (const size of ['0', '-1', '250'])
      expect(((await call(`/accounts?page_size=${size}`)).json.edges as unknown[]).length).toBe(GATE_MAX_PAGE_SIZE);
    expect((await call('/accounts?page=3&page_size=100')).json.page_info).toEqual({ count: 300, has_next_page: false });
    expect((await call('/accounts?page=4&page_size=100')).json).toEqual({
      edges: [],
      page_info: { count: 300, has_next_page: false },
    });
    expect(
      ((await call('/accounts?order=asc&page_size=1')).json.edges as Array<{ node: { id: number } }>)[0]?.node.id,
    ).toBe(1);
    expect((await call('/accounts?page=0')).status).toBe(400);
    expect((await call('/accounts?page_size=-2')).json).toMatchObject({ name: 'BadRequest', status_code: 400 });
    expect((await call('/accounts?colour=red')).json).toMatchObject({ status_code: 404 });
    const tokens = (await call(`/accounts?currency=${assetOf(CURRENCIES.dai)}&page_size=0`)).json;
    expect(
      (tokens.edges as Array<{ node: { contract_address: string } }>).every(
        (edge) => edge.node.contract_address === CURRENCIES.dai.contractAddress,
      ),
    ).toBe(true);
  });

  it('answers 404 Error for an unknown account on every account path', async () => {
    for (const path of [
      '/accounts/999999',
      '/accounts/999999/balances',
      '/accounts/999999/currency',
      '/accounts/999999/balances/history?start=2024-01-01T00:00:00Z&end=2025-01-01T00:00:00Z',
    ]) {
      const reply = await call(path);
      expect(reply.status).toBe(404);
      expect(reply.json).toEqual({ message: 'Account not found', name: 'NotFound', status_code: 404 });
    }
  });

  it('answers the three balance shapes by currency, history with its currency, and 501 for Solana history', async () => {
    const bitcoin = account((item) => item.currency === CURRENCIES.bitcoin);
    const ether = account((item) => item.currency === CURRENCIES.ethereum);
    const solana = account((item) => item.currency === CURRENCIES.solana);
    expect(Object.keys((await call(`/accounts/${bitcoin.id}/balances`)).json)).toHaveLength(11);
    expect(Object.keys((await call(`/accounts/${ether.id}/balances`)).json).sort()).toEqual([
      'available',
      'pending',
      'total',
    ]);
    expect((await call(`/accounts/${solana.id}/balances`)).json).toMatchObject({
      total_staked: (currentTotal(solana) / 4n).toString(),
      token_accounts: null,
    });
    const history = await call(
      `/accounts/${ether.id}/balances/history?start=2020-01-01T00:00:00Z&end=2030-01-01T00:00:00%2B00:00`,
    );
    expect(history.json).toMatchObject({
      account_index: ether.index,
      currency: { magnitude: 18, name: 'ethereum', network: 'ethereum', token_address: null },
    });
    expect((history.json.balances as Array<{ value: string }>).map((point) => point.value)).toEqual(
      ether.movements.map((movement) => movement.total.toString()),
    );
    const unsupported = await call(
      `/accounts/${solana.id}/balances/history?start=2020-01-01T00:00:00Z&end=2030-01-01T00:00:00Z`,
    );
    expect(unsupported.status).toBe(501);
    expect(unsupported.json).toEqual({
      message: 'Not supported for this currency',
      name: 'NotImplemented',
      status_code: 501,
    });
    expect(
      (await call(`/accounts/${ether.id}/balances/history?start=2030-01-01T00:00:00Z&end=2020-01-01T00:00:00Z`)).status,
    ).toBe(400);
    expect((await call(`/accounts/${bitcoin.id}/currency`)).json).toMatchObject({
      amount_units: expect.arrayContaining([
        { code: 'sat', magnitude: 0 },
        { code: 'BTC', magnitude: 8 },
      ]),
    });
  });

  it.skipIf(!specsAvailable)("writes what the spec's schemas require", async () => {
    const page = (await call('/accounts?page_size=0')).json;
    conforms(page, '_APISearchAccountResults');
    for (const edge of page.edges as Array<{ node: { id: number; currency: string } }>) {
      const { id } = edge.node;
      const balances = (await call(`/accounts/${id}/balances`)).json;
      const shape =
        edge.node.currency === 'solana'
          ? 'SolanaBalances'
          : edge.node.currency === 'bitcoin' || edge.node.currency === 'litecoin'
            ? 'BitcoinBalances'
            : 'AccountBalances';
      conforms(balances, shape);
      conforms((await call(`/accounts/${id}`)).json, 'Account');
      conforms((await call(`/accounts/${id}/currency`)).json, 'AccountCurrency');
      const history = await call(
        `/accounts/${id}/balances/history?start=2024-01-01T00:00:00Z&end=2025-06-01T00:00:00Z`,
      );
      conforms(history.json, history.status === 200 ? 'AccountBalancesHistory' : 'Error');
    }
    conforms((await call('/accounts', {})).json, 'Error');
    conforms((await call('/accounts/999999')).json, 'Error');
  });

  it('answers 420 (or 429) with Retry-After for the next N requests when told to', async () => {
    simulator.throttleNext(2, { retryAfterSeconds: 3 });
    const limited = await call('/accounts');
    expect(limited).toMatchObject({
      status: 420,
      statusText: 'Enhance Your Calm',
      json: { name: 'RateLimitExceeded', status_code: 420 },
    });
    expect(limited.headers.get('retry-after')).toBe('3');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect((await call('/accounts')).status).toBe(420);
    expect((await call('/accounts')).status).toBe(200);
    simulator.throttleNext(1, { status: 429 });
    expect((await call('/accounts')).status).toBe(429);
  });

  it('closes once, however often it is asked', async () => {
    const other = await startLedgerEnterpriseSimulator();
    const first = other.close();
    expect(other.close()).toBe(first);
    await first;
  });
});
