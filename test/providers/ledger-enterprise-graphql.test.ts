import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createAuthenticator } from '../../src/auth/index.ts';
import { DEFAULT_SERVER } from '../../src/config.ts';
import { createLogger } from '../../src/logger.ts';
import { createLedgerEnterpriseConnector } from '../../src/providers/ledger-enterprise/index.ts';
import type { Connector } from '../../src/providers/types.ts';
import { createCursorCodec } from '../../src/relay/cursor.ts';
import { encodeGlobalId } from '../../src/relay/global-id.ts';
import { createServer, type GatewayServer } from '../../src/server.ts';
import {
  CURRENCIES,
  startLedgerEnterpriseSimulator,
  totalAt,
  type LedgerEnterpriseSimulatorHandle,
} from '../../src/simulators/ledger-enterprise/index.ts';

const SOURCE = 'le-graph';
const API_USER = 'le-graph-user';
const API_KEY = 'le-graph-key';

interface Response<T> {
  data?: T | null;
  errors?: Array<{ message: string; path?: Array<string | number>; extensions?: { code?: string; source?: string } }>;
}

/** The connector behind the real schema, resolvers and loaders (the registry line is the lead's to add). */
describe('ledger-enterprise: through the GraphQL gateway', () => {
  let simulator: LedgerEnterpriseSimulatorHandle;
  let connector: Connector;
  let yoga: GatewayServer;
  const query = async <T>(text: string, variables: Record<string, unknown> = {}): Promise<Response<T>> => {
    const response = await yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
      body: JSON.stringify({ query: text, variables }),
    });
    return (await response.json()) as Response<T>;
  };
  const ledgerId = encodeGlobalId('Ledger', [SOURCE, 'workspace']);
  const accountId = (id: number) => encodeGlobalId('Account', [SOURCE, 'workspace', String(id)]);

  beforeAll(async () => {
    simulator = await startLedgerEnterpriseSimulator({ apiUser: API_USER, apiKey: API_KEY });
    connector = createLedgerEnterpriseConnector(SOURCE, {
      url: simulator.url,
      auth: { apiUser: API_USER, apiKey: API_KEY },
      timeoutMs: 5_000,
    });
    yoga = createServer(
      {
        connectors: new Map([[SOURCE, connector]]),
        cursors: createCursorCodec('le-graph-cursor-secret-0123456789'),
        authenticator: createAuthenticator(null),
        breakers: new Map(),
      },
      {
        config: { ...DEFAULT_SERVER, graphiql: false },
        logger: createLogger('silent'),
        readiness: { draining: false },
      },
    );
  });
  afterAll(async () => {
    await connector.close();
    await simulator.close();
  });
  beforeEach(() => simulator.resetRequests());

  it('a page of 50 accounts with balances and totalCount is one search call (once the currencies are known)', async () => {
    const page = `query($id: ID!) { ledger(id: $id) { name accounts(first: 50) { totalCount nodes { address name balances { asset total { amount minorUnits scale } available { minorUnits } pending { minorUnits } } } } } }`;
    await query(page, { id: ledgerId }); // a cold connector also reads each currency once
    simulator.resetRequests();
    const response = await query<{
      ledger: {
        name: string;
        accounts: {
          totalCount: number;
          nodes: Array<{
            address: string;
            balances: Array<{ asset: string; total: { amount: string; minorUnits: string; scale: number } }>;
          }>;
        };
      };
    }>(page, { id: ledgerId });
    expect(response.errors).toBeUndefined();
    expect(simulator.requests.map((request) => request.path)).toEqual(['/accounts']);
    const { ledger } = response.data!;
    expect(ledger.name).toBe('workspace');
    expect(ledger.accounts.totalCount).toBe(simulator.data.accounts.length);
    const truth = simulator.truth.balances('workspace').slice(0, 50);
    expect(
      ledger.accounts.nodes.map((node) => [
        node.address,
        node.balances[0]?.asset,
        node.balances[0]?.total.minorUnits,
        node.balances[0]?.total.scale,
      ]),
    ).toEqual(truth.map((balance) => [balance.accountId, balance.asset, balance.total, balance.scale]));
    const ether = ledger.accounts.nodes.find(
      (node) => node.balances[0]?.asset === 'ethereum' && node.balances[0].total.minorUnits.length > 18,
    );
    expect(ether?.balances[0]?.total.amount).toMatch(/^\d+\.\d{18}$/);
  });

  it('history: exact points per day, zeros before the first point; Solana history is UNSUPPORTED_BY_SOURCE on that field only', async () => {
    const bitcoin = simulator.data.accounts.find(
      (account) => account.currency === CURRENCIES.bitcoin && account.movements.length >= 2,
    )!;
    const solana = simulator.data.accounts.find((account) => account.currency === CURRENCIES.solana)!;
    const firstDay = Math.floor(bitcoin.createdOnMicros / 86_400_000_000) * 86_400_000;
    const from = new Date(firstDay - 2 * 86_400_000).toISOString();
    const to = new Date(firstDay + 20 * 86_400_000).toISOString();
    const response = await query<{
      btc: { history: { nodes: Array<{ at: string; balance: { minorUnits: string; scale: number } }> } };
      sol: { balances: unknown[]; history: null };
    }>(
      `query($btc: ID!, $sol: ID!, $from: DateTime!, $to: DateTime!) {
        btc: node(id: $btc) { ... on Account { history(asset: "bitcoin", from: $from, to: $to, first: 30) { nodes { at balance { minorUnits scale } } } } }
        sol: node(id: $sol) { ... on Account { balances { asset } history(asset: "solana", from: $from, to: $to) { nodes { at } } } }
      }`,
      { btc: accountId(bitcoin.id), sol: accountId(solana.id), from, to },
    );
    const nodes = response.data!.btc.history.nodes;
    expect(nodes).toHaveLength(23);
    expect(nodes.map((node) => node.balance.minorUnits)).toEqual(
      nodes.map((node) => String(totalAt(bitcoin, Date.parse(node.at) * 1000) ?? 0n)),
    );
    expect(nodes[0]?.balance).toEqual({ minorUnits: '0', scale: 8 });
    expect(nodes.some((node) => node.balance.minorUnits !== '0')).toBe(true);
    expect(response.data!.sol.balances).toHaveLength(1);
    expect(response.data!.sol.history).toBeNull();
    expect(response.errors).toEqual([
      expect.objectContaining({
        path: ['sol', 'history'],
        extensions: expect.objectContaining({ code: 'UNSUPPORTED_BY_SOURCE', source: SOURCE }),
      }),
    ]);
  });

  it('a rate-limited source is a coded field error, with no vendor detail', async () => {
    simulator.throttleNext(3, { status: 420 });
    const response = await query<{ node: unknown }>(`query($id: ID!) { node(id: $id) { ... on Account { name } } }`, {
      id: accountId(3),
    });
    expect(response.errors?.[0]?.extensions).toMatchObject({ code: 'SOURCE_RATE_LIMITED', source: SOURCE });
    expect(JSON.stringify(response)).not.toContain(simulator.url);
    expect(JSON.stringify(response)).not.toContain(API_KEY);
  });
});
