import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoSources, startDemoSources } from '../src/simulators/demo.ts';
import { modulesLoadedBy } from './helpers/cli.ts';

/** Packages only some configurations use (src/load-on-first-use.ts). */
const OPTIONAL = [
  'ioredis',
  '@opentelemetry/sdk-trace',
  '@opentelemetry/exporter-trace-otlp-http',
  'jose',
  'pino-pretty',
];

describe('packages only some configurations use', () => {
  let directory: string;
  let demo: DemoSources;
  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'gateway-optional-'));
    demo = await startDemoSources();
  });
  afterAll(async () => {
    await demo?.close();
    await rm(directory, { recursive: true, force: true });
  });

  /**
   * Starts the CLI with `server` over the demo's Blnk source, asks one query, stops it, and answers
   * which of OPTIONAL it loaded (Node's module hooks, test/helpers/loaded-modules.ts, see `import`
   * and `require` alike).
   */
  async function optionalPackagesLoadedWith(server: Record<string, unknown>, name: string): Promise<string[]> {
    const config = join(directory, `${name}.json`);
    const blnk = demo.sources.find((entry) => entry.kind === 'blnk');
    await writeFile(config, JSON.stringify({ server: { graphiql: false, ...server }, sources: [blnk] }));
    const { status, exitCode, modules } = await modulesLoadedBy(
      ['--config', config, '--port', '0'],
      join(directory, `${name}.modules`),
      '{ ledgers(first: 1) { nodes { name } } }',
      { authorization: 'Bearer not-a-token' },
    );
    // 200 where no caller credentials are configured; 401 where the bearer token is checked.
    expect([200, 401]).toContain(status);
    expect(exitCode).toBe(0);
    return OPTIONAL.filter((pkg) => modules.some((url) => url.includes(`/node_modules/${pkg}/`)));
  }

  it('are not loaded by a gateway that uses none of them', async () => {
    expect(await optionalPackagesLoadedWith({}, 'none')).toEqual([]);
  });

  it('are loaded by a gateway configured to use them', async () => {
    const loaded = await optionalPackagesLoadedWith(
      {
        telemetry: { otlpEndpoint: 'http://127.0.0.1:9' },
        redis: { url: 'redis://127.0.0.1:9' },
        auth: { jwt: { jwksUrl: 'http://127.0.0.1:9/jwks', issuer: 'https://issuer.test', audience: 'gateway' } },
      },
      'all',
    );
    // pino-pretty only for a terminal: the CLI's stderr here is a pipe.
    expect(loaded).toEqual(['ioredis', '@opentelemetry/sdk-trace', '@opentelemetry/exporter-trace-otlp-http', 'jose']);
  });
});
