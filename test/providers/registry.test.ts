import { type GraphQLEnumType, isEnumType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { ConfigError } from '../../src/errors.ts';
import { capabilitiesOf } from '../../src/providers/capabilities.ts';
import { findProvider, PROVIDER_KINDS, PROVIDERS } from '../../src/providers/index.ts';
import { kindEnumValue } from '../../src/resolvers/Source.ts';
import { createSchema } from '../../src/server.ts';
import { startTestGateway, type TestGateway } from '../helpers/gateway.ts';

/** The message config.ts gives for `kind` on a one-source config, or null when `kind` was accepted. */
function kindError(kind: string): string | null {
  try {
    parseConfig({ sources: [{ name: 'one', kind, url: 'http://127.0.0.1:1' }] }, {});
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.message.startsWith('sources[0].kind:') ? error.message : null;
  }
  return null;
}

describe('the provider registry: one list of kinds', () => {
  it('lists the five vendors in configuration order, each kind once', () => {
    expect(PROVIDER_KINDS).toEqual(['formance', 'ledger-enterprise', 'midaz', 'blnk', 'vonage']);
    expect(PROVIDERS.map((provider) => provider.kind)).toEqual(PROVIDER_KINDS);
    expect(new Set(PROVIDER_KINDS).size).toBe(PROVIDERS.length);
  });

  it('is the list of kinds the configuration accepts, and names it when refusing one', () => {
    for (const kind of PROVIDER_KINDS) expect(kindError(kind), kind).toBeNull();
    expect(kindError('stripe')).toBe(`sources[0].kind: must be one of ${PROVIDER_KINDS.join(', ')}`);
    expect(kindError('FORMANCE')).not.toBeNull();
  });

  it('agrees with the schema enum ProviderKind, value for value and in order', () => {
    const type = createSchema().getType('ProviderKind');
    expect(isEnumType(type)).toBe(true);
    const values = (type as GraphQLEnumType).getValues().map((value) => value.name);
    expect(PROVIDER_KINDS.map(kindEnumValue)).toEqual(values);
  });
});

/** `Query.sources { capabilities }` per kind before capabilities were derived (the connectors' own arrays). */
const CAPABILITIES_BEFORE_ISSUE_12: Record<string, string[]> = {
  formance: ['LEDGERS', 'ACCOUNTS', 'BALANCES', 'AGGREGATED_BALANCES', 'HISTORY'],
  'ledger-enterprise': ['LEDGERS', 'ACCOUNTS', 'BALANCES', 'HISTORY'],
  midaz: ['LEDGERS', 'ACCOUNTS', 'BALANCES', 'HISTORY'],
  blnk: ['LEDGERS', 'ACCOUNTS', 'BALANCES', 'HISTORY'],
  vonage: ['LEDGERS', 'ACCOUNTS', 'BALANCES', 'TOP_UP'],
};

describe('the provider registry through the gateway', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway();
  });
  afterAll(() => t.close());

  it('shows each source with the enum value of its configured kind', async () => {
    const response = await t.query<{ sources: Array<{ name: string; kind: string }> }>('{ sources { name kind } }');
    expect(response.body.data?.sources).toEqual(
      t.demo.sources.map((source) => ({ name: source.name, kind: kindEnumValue(String(source.kind)) })),
    );
    expect(response.body.data?.sources.map((source) => source.kind)).toEqual([
      'FORMANCE',
      'LEDGER_ENTERPRISE',
      'MIDAZ',
      'BLNK',
      'VONAGE',
    ]);
  });

  it("derives each definition's capabilities from its connector's methods, as Query.sources showed them", async () => {
    const response = await t.query<{ sources: Array<{ name: string; capabilities: string[] }> }>(
      '{ sources { name capabilities } }',
    );
    const shown = new Map(response.body.data?.sources.map((source) => [source.name, source.capabilities]));
    const config = parseConfig({ sources: t.demo.sources });
    expect(config.sources.map((source) => source.kind)).toEqual(PROVIDER_KINDS);
    for (const source of config.sources) {
      const connector = findProvider(source.kind)!.create(source.name, source.options);
      try {
        expect(capabilitiesOf(connector), source.kind).toEqual(CAPABILITIES_BEFORE_ISSUE_12[source.kind]);
        expect(shown.get(source.name), source.kind).toEqual(CAPABILITIES_BEFORE_ISSUE_12[source.kind]);
      } finally {
        await connector.close();
      }
    }
  });

  it('answers what a source cannot do with the same UNSUPPORTED_BY_SOURCE messages as before', async () => {
    const blnkLedger = await t.query<{ sources: Array<{ ledgers: { nodes: Array<{ id: string }> } }> }>(
      '{ sources { ledgers(first: 1) { nodes { id } } } }',
    );
    const ledgerIds = blnkLedger.body.data?.sources.map((source) => source.ledgers.nodes[0]?.id);
    const aggregated = await t.query(`{ ledger(id: "${ledgerIds?.[3]}") { aggregatedBalances { asset } } }`);
    expect(aggregated.body.errors).toEqual([
      expect.objectContaining({
        message: 'source "blnk-demo" (blnk) cannot sum the balances of a ledger',
        extensions: { code: 'UNSUPPORTED_BY_SOURCE', source: 'blnk-demo' },
      }),
    ]);
    const topUp = await t.query('mutation { topUp(input: { source: "midaz-demo", trx: "x" }) { outcome } }');
    expect(topUp.body.errors).toEqual([
      expect.objectContaining({
        message: 'source "midaz-demo" (midaz) cannot top up an account',
        extensions: { code: 'UNSUPPORTED_BY_SOURCE', source: 'midaz-demo' },
      }),
    ]);
    const history = await t.query(
      `{ ledger(id: "${ledgerIds?.[4]}") { accounts(first: 1) { nodes { history(asset: "EUR", from: "2020-01-01T00:00:00Z", to: "2020-01-02T00:00:00Z") { totalCount } } } } }`,
    );
    expect(history.body.errors).toEqual([
      expect.objectContaining({
        message: 'source "vonage-demo" (vonage) cannot tell past balances',
        extensions: { code: 'UNSUPPORTED_BY_SOURCE', source: 'vonage-demo' },
      }),
    ]);
  });
});
