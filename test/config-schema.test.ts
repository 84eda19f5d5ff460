import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Ajv } from 'ajv';
import fc from 'fast-check';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../src/config.ts';
import { gatewayJsonSchema } from '../src/config/json-schema.ts';
import { ConfigError } from '../src/errors.ts';
import { PROVIDER_KINDS } from '../src/providers/index.ts';

/*
 * schema/gateway.schema.json, the JSON Schema editors use (`# yaml-language-server: $schema=…`),
 * checked with ajv, a validator independent of the zod schemas it is generated from.
 */
const root = join(import.meta.dirname, '..');
const file = JSON.parse(readFileSync(join(root, 'schema', 'gateway.schema.json'), 'utf8'));
const validate = new Ajv({ strict: true, allErrors: true }).compile(file);

/** Every YAML file of the repository, and every configuration in the README's YAML blocks. */
function exampleConfigs(): Array<[string, string]> {
  const found: Array<[string, string]> = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
      const path = join(folder, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.ya?ml$/.test(entry.name)) found.push([relative(root, path), readFileSync(path, 'utf8')]);
    }
  };
  walk(root);
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  for (const [index, block] of [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].entries())
    if (/^sources:/m.test(block[1] ?? '')) found.push([`README.md yaml block ${index}`, block[1] ?? '']);
  return found;
}

/** Environment values for examples/gateway.yaml, each of the form its field needs. */
const EXAMPLE_ENV = {
  PORT: '8080',
  CURSOR_SECRET: 'cursor-secret-of-the-example',
  WEB_EU_KEY_SHA256: 'a'.repeat(64),
  OPS_KEY_SHA256: 'b'.repeat(64),
  FORMANCE_SECRET: 'formance-secret',
  VAULT_API_KEY: 'vault-key',
  MIDAZ_TOKEN: 'midaz-token',
  BLNK_KEY: 'blnk-key',
  VONAGE_API_KEY: 'a1b2c3d4',
  VONAGE_API_SECRET: 'vonage-secret',
};

const valid = () => ({
  server: { port: 4100 },
  sources: [{ name: 'payments', kind: 'blnk', url: 'http://blnk.internal:5001', currencyScales: { USD: 2 } }],
});

describe('the JSON Schema of gateway.yaml', () => {
  it('is what the zod schemas give (npm run config-schema wrote the committed file)', () => {
    expect(file).toEqual(gatewayJsonSchema());
  });

  it('validates every example configuration of the repository, each pointing editors at it', () => {
    const examples = exampleConfigs();
    expect(examples.map(([name]) => name)).toContain('examples/gateway.yaml');
    expect(examples.length).toBeGreaterThanOrEqual(2);
    for (const [name, text] of examples) {
      expect(validate(parse(text)), `${name}: ${JSON.stringify(validate.errors)}`).toBe(true);
      if (name.endsWith('.yaml') || name.endsWith('.yml'))
        expect(text.split('\n')[0], name).toMatch(
          /^# yaml-language-server: \$schema=\S*schema\/gateway\.schema\.json$/,
        );
    }
  });

  it('the example with every kind starts the gateway too, given its environment', async () => {
    const config = await loadConfig(join(root, 'examples', 'gateway.yaml'), EXAMPLE_ENV);
    expect(config.sources.map((source) => source.kind)).toEqual(PROVIDER_KINDS);
    expect(config.server).toMatchObject({ mode: 'production', graphiql: false, port: 8080 });
  });

  it('offers each vendor its own fields: a union on kind', () => {
    const kinds = file.properties.sources.items.oneOf.map(
      (option: { properties: { kind: { const: string } } }) => option.properties.kind.const,
    );
    expect(kinds).toEqual(PROVIDER_KINDS);
    const midaz = valid();
    Object.assign(midaz.sources[0]!, { kind: 'midaz' });
    // A Blnk field on a Midaz source, and Midaz's required fields missing.
    expect(validate(midaz)).toBe(false);
  });

  it.each([
    ['a misspelt field', (config: ReturnType<typeof valid>) => Object.assign(config.server, { prot: 4100 })],
    ['a port out of range', (config: ReturnType<typeof valid>) => Object.assign(config.server, { port: 70000 })],
    ['an unknown kind', (config: ReturnType<typeof valid>) => Object.assign(config.sources[0]!, { kind: 'stripe' })],
    [
      'a field of another kind',
      (config: ReturnType<typeof valid>) => Object.assign(config.sources[0]!, { assetScales: {} }),
    ],
    [
      'a bad source name',
      (config: ReturnType<typeof valid>) => Object.assign(config.sources[0]!, { name: 'Pay Ments' }),
    ],
    ['no sources', (config: ReturnType<typeof valid>) => Object.assign(config, { sources: [] })],
    [
      'a mode that does not exist',
      (config: ReturnType<typeof valid>) => Object.assign(config.server, { mode: 'prod' }),
    ],
  ])('refuses %s, as the gateway does', (_, change) => {
    const config = valid();
    expect(validate(config)).toBe(true);
    expect(() => parseConfig(config, {})).not.toThrow();
    change(config);
    expect(validate(config)).toBe(false);
    expect(() => parseConfig(config, {})).toThrow(ConfigError);
  });

  it('takes ${NAME} wherever the file may hold one, numbers and patterned strings included', () => {
    const config = {
      server: { port: '${PORT}', graphiql: '${GRAPHIQL}', mode: '${MODE}', limits: { maxCost: '${MAX_COST}' } },
      sources: [
        {
          name: '${SOURCE_NAME}',
          kind: 'blnk',
          url: '${BLNK_URL}',
          timeoutMs: '${TIMEOUT}',
          currencyScales: { USD: 2 },
        },
      ],
    };
    expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
    // ... but a number written as text without one is not a number.
    expect(validate({ ...config, server: { port: 'eighty' } })).toBe(false);
  });

  // The schema may let through what only start-up can see (names used twice, a key that does not
  // parse, a file that is not there), never the reverse: an editor must not flag a file that runs.
  it('accepts every file the gateway accepts (fast-check over good and bad values of each field)', () => {
    const often = <T>(arbitrary: fc.Arbitrary<T>) =>
      fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary, weight: 2 });
    const server = fc.record({
      mode: often(fc.constantFrom('development', 'production', 'prod', null, 5)),
      port: often(fc.constantFrom(0, 4000, 65535, 70000, -1, '8080', '${PORT}', 'x', 2.5, null)),
      graphiql: often(fc.constantFrom(true, false, 'true', 'yes', null)),
      cursorSecret: often(fc.constantFrom('0123456789abcdef', 'short', '', null)),
      corsOrigins: often(fc.constantFrom(['https://app.example.com'], ['*'], [], 'https://a.example')),
      limits: often(fc.record({ maxDepth: often(fc.constantFrom(1, 0, 100, 101, '5', null)) })),
      metrics: often(
        fc.record({
          enabled: often(fc.constantFrom(true, 'false', 1)),
          port: often(fc.constantFrom(null, 1, 0, 65536)),
        }),
      ),
      telemetry: often(
        fc.record({
          otlpEndpoint: often(fc.constantFrom('http://collector:4318', 'ftp://x', null)),
          serviceName: often(fc.constantFrom('gw', '')),
        }),
      ),
      prot: often(fc.constant(1)),
    });
    const uuid = '0195e3a2-7c1d-7b4e-9f10-2a3b4c5d6e7f';
    const common = {
      name: fc.constantFrom('a', 'b-c', 'd', 'Bad', ''),
      url: fc.constantFrom('http://x:1', 'https://x/', 'http://y', 'ftp://x', 'http://u:p@x', '${URL}'),
      timeoutMs: often(fc.constantFrom(1, 0, '${PORT}', null)),
      circuitBreaker: often(fc.constantFrom({ openMs: 100 }, { openMs: 99 }, { openSeconds: 1 }, null)),
      stray: fc.oneof({ arbitrary: fc.constant(undefined), weight: 9 }, { arbitrary: fc.constant(1), weight: 1 }),
    };
    const scales = fc.constantFrom({ USD: 2 }, { USD: 8, BTC: 8 }, { USD: 'two' }, { USD: null }, { 'U D': 2 }, {});
    const fieldsOf: Record<string, Record<string, fc.Arbitrary<unknown>>> = {
      formance: {
        auth: often(fc.constantFrom({ clientId: 'a', clientSecret: 'b' }, { clientId: 'a' }, null, { tokenUrl: 'x' })),
      },
      'ledger-enterprise': {
        auth: fc.constantFrom({ apiUser: 'u' }, { apiUser: 'u', apiKey: 'k' }, { apiUser: '' }, {}, null),
        concurrency: often(fc.constantFrom(8, 65, '4')),
      },
      midaz: {
        organizationId: fc.constantFrom(uuid, uuid, 'acme'),
        assetScales: fc.oneof(scales, fc.constant(undefined)),
        auth: often(fc.constantFrom({ token: 't' }, { token: 'a\nb' }, {}, null)),
      },
      blnk: {
        auth: often(fc.constantFrom({ apiKey: 'k' }, { apiKey: '' }, null)),
        currencyScales: often(scales),
        batchWith: often(fc.constantFrom('get', 'filter', 'post')),
      },
      vonage: {
        auth: fc.constantFrom({ apiKey: 'k1', apiSecret: 's' }, { apiKey: '..', apiSecret: 's' }, { apiKey: 'k' }),
        subaccountsUrl: often(fc.constantFrom('https://api.nexmo.com', 'nexmo')),
      },
      stripe: {},
    };
    const source = fc.oneof(
      ...Object.entries(fieldsOf).map(([kind, fields]) => fc.record({ kind: fc.constant(kind), ...common, ...fields })),
    );
    const file = fc.record({ server: often(server), sources: fc.array(source, { minLength: 0, maxLength: 2 }) });
    let accepted = 0;
    fc.assert(
      fc.property(file, (generated) => {
        const config = JSON.parse(JSON.stringify(generated));
        try {
          parseConfig(config, { PORT: '8080' });
        } catch (error) {
          if (error instanceof ConfigError) return;
          throw error;
        }
        accepted += 1;
        expect(validate(config), JSON.stringify(validate.errors)).toBe(true);
      }),
      { numRuns: 5000 },
    );
    // About 1 file in 60 is accepted (85 expected): enough that the property says something.
    expect(accepted).toBeGreaterThan(20);
  });
});
