import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { gatewayJsonSchema } from '../src/config/json-schema.ts';

/*
 * Writes schema/gateway.schema.json from the configuration's zod schemas (`npm run
 * config-schema`); with --check, fails when the file is not what they give (`npm run check`),
 * as codegen's --check does for the generated types.
 */
const FILE = new URL('../schema/gateway.schema.json', import.meta.url);
const schema = gatewayJsonSchema();

if (process.argv.includes('--check')) {
  let written: unknown;
  try {
    written = JSON.parse(readFileSync(FILE, 'utf8'));
  } catch {
    written = undefined;
  }
  if (!isDeepStrictEqual(written, schema)) {
    process.stderr.write('schema/gateway.schema.json is out of date: run npm run config-schema\n');
    process.exit(1);
  }
} else {
  writeFileSync(FILE, `${JSON.stringify(schema, null, 2)}\n`);
  // In the layout `biome check` expects.
  execFileSync('npx', ['biome', 'format', '--write', FILE.pathname], { stdio: 'ignore' });
}
