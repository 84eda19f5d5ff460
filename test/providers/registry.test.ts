import { type GraphQLEnumType, isEnumType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { ConfigError } from '../../src/errors.ts';
import { PROVIDER_KINDS, PROVIDERS } from '../../src/providers/index.ts';
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
});
