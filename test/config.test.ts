import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_TRANSPORT } from '../src/providers/http/index.ts';
import { DEFAULT_SERVER, loadConfig, parseConfig } from '../src/config.ts';
import { ConfigError } from '../src/errors.ts';

const SECRET = 'sup3r-s3cret-value';

const valid = () => ({
  server: { port: 4100 },
  sources: [
    {
      name: 'ledger-eu',
      kind: 'formance',
      url: 'https://acme.eu-west-1.formance.cloud/',
      auth: { clientId: 'gateway', clientSecret: '${FORMANCE_SECRET}' },
      timeoutMs: 1500,
    },
    {
      name: 'payments',
      kind: 'blnk',
      url: 'http://blnk.internal:5001',
      auth: { apiKey: '${BLNK_KEY}' },
      currencyScales: { USD: 2, BTC: 8 },
    },
  ],
});
const env = { FORMANCE_SECRET: SECRET, BLNK_KEY: 'blnk-key' };

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('reads the documented example with defaults and environment variables', () => {
    const config = parseConfig(valid(), env);
    expect(config.server).toEqual({ ...DEFAULT_SERVER, port: 4100 });
    expect(config.sources[0]).toEqual({
      name: 'ledger-eu',
      kind: 'formance',
      url: 'https://acme.eu-west-1.formance.cloud',
      timeoutMs: 1500,
      options: {
        url: 'https://acme.eu-west-1.formance.cloud',
        timeoutMs: 1500,
        auth: { clientId: 'gateway', clientSecret: SECRET },
      },
      transport: DEFAULT_TRANSPORT,
    });
    expect(config.sources[1]).toMatchObject({
      kind: 'blnk',
      timeoutMs: 5000,
      options: { auth: { apiKey: 'blnk-key' }, currencyScales: { USD: 2, BTC: 8 }, batchWith: 'get' },
    });
  });

  it('reads retries, the response size cap and the circuit breaker of a source', () => {
    const base = { name: 'b', kind: 'blnk', url: 'http://blnk:5001' };
    const config = parseConfig(
      {
        sources: [
          { ...base, retries: 0, maxResponseBytes: '${MAX}', circuitBreaker: { failureThreshold: 3, openMs: 2000 } },
        ],
      },
      { MAX: '65536' },
    );
    expect(config.sources[0]?.transport).toEqual({
      retries: 0,
      maxResponseBytes: 65536,
      circuitBreaker: { failureThreshold: 3, openMs: 2000 },
    });
    expect(errorOf(() => parseConfig({ sources: [{ ...base, retries: 3 }] })).message).toBe(
      'sources[0].retries: must be an integer from 0 to 2',
    );
    expect(errorOf(() => parseConfig({ sources: [{ ...base, maxResponseBytes: 10 }] })).message).toBe(
      'sources[0].maxResponseBytes: must be an integer from 1024 to 1073741824',
    );
    expect(
      errorOf(() => parseConfig({ sources: [{ ...base, circuitBreaker: { failureThreshold: 0 } }] })).message,
    ).toBe('sources[0].circuitBreaker.failureThreshold: must be an integer from 1 to 1000000');
    expect(errorOf(() => parseConfig({ sources: [{ ...base, circuitBreaker: { openSeconds: 5 } }] })).message).toMatch(
      /^sources\[0\]\.circuitBreaker\.openSeconds: unknown field/,
    );
  });

  it('reads the kinds of issue 7 through their own definitions', () => {
    const config = parseConfig(
      {
        sources: [
          {
            name: 'midaz',
            kind: 'midaz',
            url: 'http://midaz:3002',
            organizationId: '0195e3a2-7c1d-7b4e-9f10-2a3b4c5d6e7f',
            assetScales: { BRL: 2 },
          },
          {
            name: 'vault',
            kind: 'ledger-enterprise',
            url: 'https://vault.example',
            auth: { apiUser: 'ops', apiKey: SECRET },
          },
          {
            name: 'sms',
            kind: 'vonage',
            url: 'https://rest.nexmo.com',
            subaccountsUrl: 'https://api.nexmo.com',
            auth: { apiKey: 'k', apiSecret: SECRET },
          },
        ],
      },
      {},
    );
    expect(config.sources.map((source) => source.kind)).toEqual(['midaz', 'ledger-enterprise', 'vonage']);
    expect(config.sources[0]).toMatchObject({
      options: {
        organizationId: '0195e3a2-7c1d-7b4e-9f10-2a3b4c5d6e7f',
        assetScales: { BRL: 2 },
        concurrency: 8,
        auth: null,
      },
    });
    expect(
      errorOf(() => parseConfig({ sources: [{ name: 'sms', kind: 'vonage', url: 'https://rest.nexmo.com' }] }, {}))
        .message,
    ).toBe('sources[0].auth: required');
  });

  // Each case: a change to the valid example, and the one-line message that must name the field.
  const cases: Array<[string, (config: ReturnType<typeof valid>) => void, string]> = [
    [
      'missing api key',
      (config) => delete (config.sources[1]!.auth as Partial<{ apiKey: string }>).apiKey,
      'sources[1].auth.apiKey: required',
    ],
    [
      'unknown kind',
      (config) => ((config.sources[0] as { kind: string }).kind = 'stripe'),
      'sources[0].kind: must be one of',
    ],
    ['bad name', (config) => (config.sources[0]!.name = 'Ledger EU'), 'sources[0].name: use lowercase letters'],
    [
      'duplicate name',
      (config) => (config.sources[1]!.name = 'ledger-eu'),
      'sources[1].name: "ledger-eu" is used by an earlier source',
    ],
    [
      'bad url',
      (config) => (config.sources[1]!.url = 'blnk.internal'),
      'sources[1].url: must be an absolute http or https URL',
    ],
    [
      'url with credentials',
      (config) => (config.sources[1]!.url = 'http://user:pw@blnk'),
      'sources[1].url: put credentials under auth',
    ],
    [
      'typo',
      (config) => ((config.sources[0] as Record<string, unknown>).timeout = 5),
      'sources[0].timeout: unknown field',
    ],
    ['bad port', (config) => (config.server.port = 70000), 'server.port: must be an integer from 0 to 65535'],
    ['bad timeout', (config) => (config.sources[0]!.timeoutMs = -1), 'sources[0].timeoutMs: must be an integer'],
    [
      'bad scale',
      (config) => ((config.sources[1]!.currencyScales as Record<string, unknown>).USD = 'two'),
      'sources[1].currencyScales.USD: must be an integer',
    ],
    [
      'bad batchWith',
      (config) => ((config.sources[1] as Record<string, unknown>).batchWith = 'post'),
      'sources[1].batchWith: must be get or filter',
    ],
    [
      'url with a query string',
      (config) => (config.sources[1]!.url = 'http://blnk:5001/?token=abc'),
      'sources[1].url: must not carry a query string or fragment',
    ],
    // Regression: review of #6 — a scale left empty became 0 and showed amounts 100 times too large.
    [
      'empty scale',
      (config) => ((config.sources[1]!.currencyScales as Record<string, unknown>).USD = null),
      'sources[1].currencyScales.USD: required',
    ],
    ['no sources', (config) => (config.sources = []), 'sources: list at least one source'],
  ];
  for (const [label, change, message] of cases) {
    it(`names the field when ${label}`, () => {
      const config = valid();
      change(config);
      const error = errorOf(() => parseConfig(config, env));
      expect(error.message).toContain(message);
      expect(error.message).not.toContain('\n');
      expect(error.message).not.toContain(SECRET);
    });
  }

  it('reads integers and booleans from environment variables', () => {
    const config = valid() as Record<string, unknown> & ReturnType<typeof valid>;
    (config.server as Record<string, unknown>) = { port: '${PORT}', graphiql: '${GRAPHIQL}' };
    (config.sources[0] as Record<string, unknown>).timeoutMs = '${TIMEOUT}';
    const parsed = parseConfig(config, { ...env, PORT: '8080', GRAPHIQL: 'false', TIMEOUT: '2500' });
    expect(parsed.server).toMatchObject({ port: 8080, graphiql: false });
    expect(parsed.sources[0]!.timeoutMs).toBe(2500);
    expect(
      errorOf(() => parseConfig(config, { ...env, PORT: 'eighty', GRAPHIQL: 'false', TIMEOUT: '1' })).message,
    ).toBe('server.port: must be an integer from 0 to 65535');
  });

  it('names the field and the variable, never a value, when an environment variable is missing', () => {
    const error = errorOf(() => parseConfig(valid(), { FORMANCE_SECRET: SECRET }));
    expect(error.message).toBe('sources[1].auth.apiKey: environment variable BLNK_KEY is not set');
  });

  it('loads YAML and JSON files and reports a YAML syntax error by line', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'gateway-config-'));
    const yamlFile = join(directory, 'gateway.yaml');
    await writeFile(
      yamlFile,
      'sources:\n  - name: payments\n    kind: blnk\n    url: http://127.0.0.1:5001\n    currencyScales: { USD: 2 }\n',
    );
    expect((await loadConfig(yamlFile, {})).sources[0]).toMatchObject({
      name: 'payments',
      options: { currencyScales: { USD: 2 } },
    });
    expect((await loadConfig(yamlFile, {})).sources[0]?.options).not.toHaveProperty('auth');
    const jsonFile = join(directory, 'gateway.json');
    await writeFile(jsonFile, JSON.stringify(valid()));
    expect((await loadConfig(jsonFile, env)).sources).toHaveLength(2);
    const broken = join(directory, 'broken.yaml');
    await writeFile(broken, `sources:\n  - name: x\n   kind: [${SECRET}\n`);
    const error = await loadConfig(broken, {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    // The parser's reason, its code and where, one line per syntax error; never the text of the line.
    expect((error as Error).message.split('\n')).toEqual([
      `${broken}: not valid YAML or JSON (line 3, column 1): Sequence item without - indicator [MISSING_CHAR]`,
      `${broken}: not valid YAML or JSON (line 4, column 1): Flow sequence in block collection must be sufficiently indented and end with a ] [BAD_INDENT]`,
    ]);
    expect((error as Error).message).not.toContain(SECRET);
  });
});
