import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoSources, startDemoSources } from '../src/simulators/demo.ts';
import { run, waitFor } from './helpers/cli.ts';

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
    const list = join(directory, `${name}.modules`);
    const blnk = demo.sources.find((entry) => entry.kind === 'blnk');
    await writeFile(config, JSON.stringify({ server: { graphiql: false, ...server }, sources: [blnk] }));
    const hook = join(import.meta.dirname, 'helpers', 'loaded-modules.ts');
    const gateway = run(['--config', config, '--port', '0'], { LOADED_MODULES_FILE: list }, ['--import', hook]);
    try {
      const [, url] = await waitFor(gateway, /listening on (http:\/\/\S+\/graphql)/);
      const response = await fetch(url!, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer not-a-token' },
        body: JSON.stringify({ query: '{ ledgers(first: 1) { nodes { name } } }' }),
      });
      // 200 where no caller credentials are configured; 401 where the bearer token is checked.
      expect([200, 401]).toContain(response.status);
    } finally {
      gateway.stop();
    }
    expect(await gateway.exited).toBe(0);
    const urls = (await readFile(list, 'utf8')).split('\n');
    return OPTIONAL.filter((pkg) => urls.some((url) => url.includes(`/node_modules/${pkg}/`)));
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
