import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const OPTIONAL = [
  'ioredis',
  '@opentelemetry/sdk-trace',
  '@opentelemetry/exporter-trace-otlp-http',
  'jose',
  'pino-pretty',
];
const src = (file: string) => pathToFileURL(`${import.meta.dirname}/../src/${file}`).href;

/**
 * Builds a gateway with `server` in a fresh Node process, which records every package it loads
 * (module hooks see `import` and `require` alike), and answers which of OPTIONAL it loaded.
 */
async function packagesLoadedWith(server: Record<string, unknown>): Promise<string[]> {
  const script = `
    import { registerHooks } from 'node:module';
    const loaded = new Set();
    registerHooks({
      resolve(specifier, context, next) {
        const resolved = next(specifier, context);
        const match = resolved.url.match(/node_modules\\/((?:@[^/]+\\/)?[^/]+)\\//);
        if (match) loaded.add(match[1]);
        return resolved;
      },
    });
    const { parseConfig } = await import(${JSON.stringify(src('config.ts'))});
    const { createGateway } = await import(${JSON.stringify(src('gateway.ts'))});
    const { createLogger } = await import(${JSON.stringify(src('logger.ts'))});
    const config = parseConfig({
      server: ${JSON.stringify(server)},
      sources: [{ name: 'blnk-unused', kind: 'blnk', url: 'http://127.0.0.1:9' }],
    });
    const gateway = createGateway(config, { logger: createLogger('silent') });
    await gateway.close();
    process.stdout.write(JSON.stringify(${JSON.stringify(OPTIONAL)}.filter((name) => loaded.has(name))));
  `;
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { timeout: 30_000 });
  return JSON.parse(stdout);
}

describe('packages only some configurations use', () => {
  it('are not loaded by a gateway that uses none of them', async () => {
    expect(await packagesLoadedWith({})).toEqual([]);
  });

  it('are loaded by the gateway that is configured to use them', async () => {
    const loaded = await packagesLoadedWith({
      telemetry: { otlpEndpoint: 'http://127.0.0.1:9' },
      redis: { url: 'redis://127.0.0.1:9' },
      auth: { jwt: { jwksUrl: 'http://127.0.0.1:9/jwks', issuer: 'https://issuer.test', audience: 'gateway' } },
    });
    expect(loaded.sort()).toEqual(
      ['ioredis', '@opentelemetry/sdk-trace', '@opentelemetry/exporter-trace-otlp-http', 'jose'].sort(),
    );
  });
});
