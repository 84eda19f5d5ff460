import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Ajv } from 'ajv';
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
});
