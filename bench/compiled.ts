/**
 * The bench's servers as an operator runs them: JavaScript compiled by tsc, as in the published
 * package, not TypeScript through Node's type stripping. A process that imports one `.ts` file loads
 * Node's WebAssembly type stripper, which stays resident: 24 to 29 MiB of RSS in each server (the
 * gateway's modules imported and a full GC done, `/proc/self/smaps_rollup`: 126 MiB from dist/
 * against 150 to 155 from src/), which the installed package never carries and which would count
 * against the gateway's memory figures. `BENCH_FROM_SOURCE=1` runs the TypeScript instead.
 *
 * The gateway of a tree compiles to `<tree>/.bench-dist` with the tree's own `tsconfig.build.json`
 * (one level below the tree, as dist/ is, so `../schema` resolves alike); the bench's two servers
 * (gateway-child.ts, passthrough.ts) compile to `.bench-build` with `bench/tsconfig.servers.json`.
 * Each is compiled once per bench process, before the first server starts.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

const here = resolve(import.meta.dirname, '..');
const tsc = join(here, 'node_modules/.bin/tsc');
const fromSource = process.env.BENCH_FROM_SOURCE === '1';

const compiled = new Map<string, string>();
function once(key: string, compile: () => string): string {
  let result = compiled.get(key);
  if (result === undefined) {
    result = compile();
    compiled.set(key, result);
  }
  return result;
}

/**
 * The directory bench/gateway-child.ts loads `tree`'s gateway modules from: its compiled
 * `.bench-dist`, or its `src` when running from source or when the tree has no package build (a
 * commit from before `tsconfig.build.json`).
 */
export function gatewayModules(tree: string): string {
  if (fromSource || !existsSync(join(tree, 'tsconfig.build.json'))) return join(tree, 'src');
  return once(`gateway ${tree}`, () => {
    const out = join(tree, '.bench-dist');
    execFileSync(tsc, ['-p', join(tree, 'tsconfig.build.json'), '--outDir', out, '--declaration', 'false'], {
      stdio: 'inherit',
    });
    return out;
  });
}

/** The script of one of the bench's servers, compiled unless running from source. */
export function serverScript(
  name:
    | 'gateway-child'
    | 'passthrough'
    | 'ladder/node-http'
    | 'ladder/whatwg-adapter'
    | 'ladder/executor'
    | 'ladder/envelop'
    | 'ladder/connector',
): string {
  if (fromSource) return join(here, 'bench', `${name}.ts`);
  const out = once('servers', () => {
    execFileSync(tsc, ['-p', join(here, 'bench/tsconfig.servers.json')], { stdio: 'inherit' });
    return join(here, '.bench-build/bench');
  });
  return join(out, `${name}.js`);
}
