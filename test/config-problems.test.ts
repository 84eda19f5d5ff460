import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../src/config.ts';
import { ConfigError } from '../src/errors.ts';
import { run } from './helpers/cli.ts';

/*
 * Every problem of a configuration file in one start-up, one line each, naming the field and
 * never a value: a file with four problems reports four lines.
 */
const SECRET = 'pa55-w0rd-that-must-never-show';

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.message.split('\n');
    throw error;
  }
  throw new Error('expected a ConfigError');
}

const blnk = (fields: Record<string, unknown> = {}) => ({
  name: 'payments',
  kind: 'blnk',
  url: 'http://blnk.internal:5001',
  currencyScales: { USD: 2 },
  ...fields,
});

describe('every problem of a file, one line each', () => {
  it('reports six problems in six lines: of the schema, of a vendor, across fields and across sources', () => {
    const lines = problemsOf(() =>
      parseConfig({
        server: { port: 70000, mode: 'production', graphiql: true },
        sources: [
          blnk({ auth: {} }),
          blnk({ url: `http://user:${SECRET}@blnk` }),
          { name: 'vault', kind: 'ledger-enterprise', url: 'http://vault:5000', auth: { apiUser: 'x', token: SECRET } },
        ],
      }),
    );
    // Top to bottom: the server block, then each source in turn.
    expect(lines).toEqual([
      'server.port: must be an integer from 0 to 65535',
      'server.graphiql: GraphiQL is off in production mode',
      'sources[0].auth.apiKey: required',
      'sources[1].url: put credentials under auth, not in the URL',
      'sources[1].name: "payments" is used by an earlier source',
      'sources[2].auth.token: unknown field (expected one of apiUser, apiKey)',
    ]);
    for (const line of lines) expect(line).not.toContain(SECRET);
  });

  it('checks the common fields of a source whose kind is unknown, besides naming the kind', () => {
    expect(problemsOf(() => parseConfig({ sources: [{ name: 'Bad Name', kind: 'stripe', url: 'ftp://x' }] }))).toEqual([
      'sources[0].kind: must be one of formance, ledger-enterprise, midaz, blnk, vonage',
      'sources[0].name: use lowercase letters, digits and single dashes',
      'sources[0].url: must be an absolute http or https URL',
    ]);
    expect(problemsOf(() => parseConfig({ sources: [{ name: 'x', url: 'http://x' }] }))).toEqual([
      'sources[0].kind: required',
    ]);
  });

  it('an unset environment variable is one line for its field, whatever the field then fails, beside the others', () => {
    const lines = problemsOf(() =>
      parseConfig(
        {
          server: { port: '${PORT}', cursorSecret: 'short' },
          sources: [blnk({ name: '${NAME}', timeoutMs: '${TIMEOUT}', auth: { apiKey: '${BLNK_KEY}' } })],
        },
        { TIMEOUT: '0' },
      ),
    );
    expect(lines.sort()).toEqual(
      [
        'server.port: environment variable PORT is not set',
        'server.cursorSecret: must be at least 16 characters',
        'sources[0].name: environment variable NAME is not set',
        'sources[0].timeoutMs: must be an integer from 1 to 600000',
        'sources[0].auth.apiKey: environment variable BLNK_KEY is not set',
      ].sort(),
    );
  });

  it('reports auth, limits and admission problems with the rest', () => {
    const lines = problemsOf(() =>
      parseConfig({
        server: {
          maxQueuedRequests: -1,
          limits: { maxDepth: 0, maxCosts: 1 },
          auth: { apiKeys: [{ name: 'web', sha256: SECRET, sources: ['payments', 'nowhere'] }] },
        },
        sources: [blnk()],
      }),
    );
    expect(lines).toEqual([
      'server.maxQueuedRequests: must be an integer from 0 to 1000000',
      `server.auth.apiKeys[0].sha256: must be the 64 hex digits of the key's SHA-256 (printf %s "$KEY" | sha256sum), not the key`,
      'server.limits.maxDepth: must be an integer from 1 to 100',
      'server.limits.maxCosts: unknown field (expected one of maxDepth, maxAliases, maxTokens, maxDirectives, maxIds, maxPageSize, maxBodyBytes, maxCost, maxPagesPerWalk, maxUpstreamCalls)',
      'server.auth.apiKeys[0].sources[1]: no source named "nowhere"',
    ]);
  });

  // Attack: values where zod's own messages would quote them (a literal, an enum, a union, a type).
  const sources = [blnk()];
  it.each([
    ['the root', SECRET, '(root): must be an object'],
    ['the server block', { server: [SECRET], sources }, 'server: must be an object'],
    ['the sources list', { sources: SECRET }, 'sources: must be a list'],
    ['a source', { sources: [SECRET] }, 'sources[0]: must be an object'],
    ['a kind', { sources: [blnk({ kind: SECRET })] }, 'sources[0].kind: must be one of'],
    ['a kind that is not text', { sources: [blnk({ kind: [SECRET] })] }, 'sources[0].kind: must be one of'],
    ['a mode', { server: { mode: SECRET }, sources }, 'server.mode: must be development or production'],
    ['an enum of a vendor', { sources: [blnk({ batchWith: SECRET })] }, 'sources[0].batchWith: must be get or filter'],
    ['an algorithm', { server: { auth: { jwt: { algorithms: [SECRET] } } }, sources }, 'algorithms[0]: must be one of'],
    ['a number', { server: { port: `${SECRET}1` }, sources }, 'server.port: must be an integer'],
    ['a currency code', { sources: [blnk({ currencyScales: { 'US D': 2 } })] }, 'not a currency or asset code'],
  ])('never quotes the value of %s', (_, config, expected) => {
    const lines = problemsOf(() => parseConfig(config, {}));
    expect(lines.join('\n')).toContain(expected);
    for (const line of lines) expect(line).not.toContain(SECRET);
  });

  it('the command prints every line, each starting with its name, and exits 1', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'config-problems-'));
    const file = join(directory, 'gateway.yaml');
    await writeFile(
      file,
      [
        'server: { port: 70000, drainMs: -1 }',
        'sources:',
        '  - { name: payments, kind: blnk, url: "http://127.0.0.1:1", auth: { apiKey: "${BLNK_KEY}" }, currencyScales: { USD: two } }',
        '  - { name: payments, kind: vonage, url: "http://127.0.0.1:2" }',
      ].join('\n'),
    );
    const gateway = run(['--config', file], { BLNK_KEY: SECRET });
    expect(await gateway.exited).toBe(1);
    expect(gateway.output().trim().split('\n')).toEqual([
      'balance-gateway: server.port: must be an integer from 0 to 65535',
      'balance-gateway: server.drainMs: must be an integer from 0 to 600000',
      'balance-gateway: sources[0].currencyScales.USD: must be an integer from 0 to 36',
      'balance-gateway: sources[1].auth: required',
      'balance-gateway: sources[1].name: "payments" is used by an earlier source',
    ]);
    expect(gateway.output()).not.toContain(SECRET);
  });

  it('a YAML syntax error gives the reason, code, line and column, never the text of the line', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'config-problems-'));
    const file = join(directory, 'broken.yaml');
    await writeFile(
      file,
      `sources:\n  - name: x\n    auth: { apiKey: "${SECRET}\\q" }\n    kind: blnk\n    kind: vonage\n`,
    );
    const error = await loadConfig(file, {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    const lines = (error as Error).message.split('\n');
    expect(lines).toEqual([
      `${file}: not valid YAML or JSON (line 3, column ${'    auth: { apiKey: "'.length + SECRET.length + 1}): Invalid escape sequence \\q [BAD_DQ_ESCAPE]`,
      `${file}: not valid YAML or JSON (line 5, column 5): Map keys must be unique [DUPLICATE_KEY]`,
    ]);
    expect((error as Error).message).not.toContain(SECRET);
    // One of yaml's messages quotes the source after a colon: the words it copied from the line are left out.
    const header = join(directory, 'header.yaml');
    await writeFile(header, `sources: |2 ${SECRET} extra\n  x\n`);
    const quoted = ((await loadConfig(header, {}).catch((caught: unknown) => caught)) as Error).message;
    expect(quoted).toMatch(
      /^\S+header\.yaml: not valid YAML or JSON \(line 1, column 13\): Not a YAML token: … … \[UNEXPECTED_TOKEN\]$/,
    );
    expect(quoted).not.toContain(SECRET);
  });

  // Attack: a file of aliases whose expansion would exhaust memory, and an alias naming a secret.
  it('refuses an alias bomb and an alias to no anchor with the reason of the parser', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'config-problems-'));
    const bomb = join(directory, 'bomb.yaml');
    const levels = ['a: &a [x, x, x, x, x, x, x, x, x]'];
    for (const [index, name] of ['b', 'c', 'd', 'e', 'f'].entries())
      levels.push(`${name}: &${name} [${Array(9).fill(`*${'abcde'[index]}`).join(', ')}]`);
    await writeFile(bomb, `${levels.join('\n')}\n`);
    await expect(loadConfig(bomb, {})).rejects.toThrow(
      new ConfigError(`${bomb}: not valid YAML or JSON: Excessive alias count indicates a resource exhaustion attack`),
    );
    const dangling = join(directory, 'dangling.yaml');
    await writeFile(dangling, `sources: *${SECRET.replaceAll('-', '')}\n`);
    const error = await loadConfig(dangling, {}).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(/^\S+dangling\.yaml: not valid YAML or JSON: Unresolved alias/);
    expect((error as Error).message).not.toContain(SECRET.replaceAll('-', ''));
  });

  it('lists the first hundred problems of a file with thousands, and how many more there are', () => {
    const sources = Array.from({ length: 3000 }, (_, index) => blnk({ name: `source-${index}`, retries: 9 }));
    const lines = problemsOf(() => parseConfig({ sources }, {}));
    expect(lines).toHaveLength(101);
    expect(lines[99]).toBe('sources[99].retries: must be an integer from 0 to 2');
    expect(lines[100]).toBe('(root): 2900 more problems not shown');
  });
});
