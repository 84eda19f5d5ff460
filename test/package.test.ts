import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoSources, type DemoSources } from '../src/simulators/demo.ts';
import { runCommand, waitFor } from './helpers/cli.ts';

// The package as a user gets it: `npm pack` (its prepack builds dist/), the tarball installed into
// an empty folder, then the bin through npx and the API from plain JavaScript, all in processes of
// their own on the repository's Node 26 (process.execPath), and once more on the oldest Node
// engines.node allows (BALANCE_GATEWAY_FLOOR_NODE, which .ci/run fetches). Every step has a deadline.

const run = promisify(execFile);
const repository = join(import.meta.dirname, '..');
const repositoryNode = dirname(process.execPath);
/** A Node older than the package's floor (22.15), when the machine has one (Debian's is 20). */
const OLD_NODE = '/usr/bin/node';
const oldNodeVersion = existsSync(OLD_NODE)
  ? execFileSync(OLD_NODE, ['-p', 'process.versions.node'], { encoding: 'utf8' }).trim()
  : '';
const hasOldNode = /^(1\d|2[01])\.|^22\.(\d|1[0-4])\./.test(oldNodeVersion);
/** The oldest Node the package claims (`engines.node`), e.g. 22.15.0. */
const FLOOR = (JSON.parse(readFileSync(join(repository, 'package.json'), 'utf8')).engines.node as string).replace(
  /^>=/,
  '',
);
/** That Node, where `.ci/run` fetched it from the npm registry. In CI its test never skips. */
const FLOOR_NODE = process.env.BALANCE_GATEWAY_FLOOR_NODE;

/** The environment of a child npm: the repository's Node first on the PATH, and none of the outer npm's `npm_*` settings. */
function childEnvironment(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const environment = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  return { ...environment, PATH: `${repositoryNode}${delimiter}${process.env.PATH ?? ''}`, ...extra };
}

async function npm(args: string[], cwd: string, timeout: number) {
  return run('npm', args, { cwd, env: childEnvironment(), timeout, maxBuffer: 16 * 1024 * 1024 });
}

interface Listening {
  readonly child: ChildProcess;
  readonly url: string;
  /** Resolves once every holder of the output pipes is gone, the gateway process included. */
  readonly closed: Promise<void>;
  readonly output: () => string;
}

/**
 * Starts `command args` in `cwd` as a process group of its own (npx runs the bin through `sh -c`,
 * which passes no signal on, so a test signals the whole group), and resolves once it says it
 * listens (20 s at most).
 */
async function startListening(command: string, args: string[], cwd: string, started: ChildProcess[]) {
  const child = spawn(command, args, {
    cwd,
    env: childEnvironment(),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  started.push(child);
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const closed = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`no "listening" within 20 s:\n${output}`)), 20_000);
    const look = () => {
      const match = output.match(/listening on (http:\/\/\S+\/graphql)/);
      if (match) {
        clearTimeout(deadline);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', look);
    child.on('exit', () => reject(new Error(`exited before listening:\n${output}`)));
  });
  return { child, url, closed, output: () => output } satisfies Listening;
}

/** SIGTERM to the group, then waits (15 s at most) for it to be gone. */
async function stopGroup({ child, closed, output }: Listening): Promise<void> {
  process.kill(-child.pid!, 'SIGTERM');
  await Promise.race([
    closed,
    new Promise((_, reject) =>
      setTimeout(() => reject(new Error(`still running 15 s after SIGTERM:\n${output()}`)), 15_000),
    ),
  ]);
}

async function ask(url: string, query: string): Promise<any> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query }),
    signal: AbortSignal.timeout(10_000),
  });
  expect(response.status).toBe(200);
  return response.json();
}

describe('the published package', () => {
  let directory: string;
  let app: string;
  let files: string[] = [];
  let demo: DemoSources;
  const started: ChildProcess[] = [];
  /** The installed package's bin, to run with a Node of the test's choosing. */
  const installedBin = () => join(app, 'node_modules', 'balance-gateway', 'bin', 'balance-gateway.js');

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'gateway-package-'));
    app = join(directory, 'app');
    await mkdir(app);
    const packed = await npm(['pack', '--json', '--pack-destination', directory], repository, 90_000);
    const [report] = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{
      filename: string;
      files: Array<{ path: string }>;
    }>;
    files = report!.files.map((file) => file.path);
    await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module' }));
    await npm(
      ['install', '--prefer-offline', '--no-audit', '--no-fund', join(directory, report!.filename)],
      app,
      90_000,
    );
    demo = await startDemoSources();
  }, 200_000);

  afterAll(async () => {
    for (const child of started) {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // ESRCH: the group is gone already
      }
    }
    await demo?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  });

  it('ships dist/ (JavaScript and declarations), the bin and the SDL, and no sources, tests, benches or CI', async () => {
    expect(files).toEqual(
      expect.arrayContaining(['bin/balance-gateway.js', 'dist/index.js', 'dist/index.d.ts', 'dist/cli.js']),
    );
    const schemaFiles = (await readdir(join(repository, 'schema'))).map((file) => `schema/${file}`);
    expect(files).toEqual(expect.arrayContaining(schemaFiles));
    const unwanted = files.filter(
      (file) =>
        /^(src|test|bench|\.ci|briefs|node_modules)\//.test(file) ||
        (/\.ts$/.test(file) && !/\.d\.ts$/.test(file)) ||
        /^(tsconfig.*|codegen\.ts|vitest\.config\.ts|biome\.json|Dockerfile|\.dockerignore)$/.test(file),
    );
    expect(unwanted).toEqual([]);
    // Without src/ beside it, the installed bin can only run dist/.
    expect(existsSync(join(app, 'node_modules', 'balance-gateway', 'src'))).toBe(false);
  });

  it('`npx balance-gateway --demo --port 0` from the install serves a balance over HTTP', async () => {
    const gateway = await startListening('npx', ['balance-gateway', '--demo', '--port', '0'], app, started);
    const body = await ask(
      gateway.url,
      '{ ledgers(first: 1) { nodes { source { kind } balances(first: 1) { nodes { asset total { amount } } } } } }',
    );
    expect(body.errors).toBeUndefined();
    const [ledger] = body.data.ledgers.nodes;
    expect(ledger.source.kind).toBe('FORMANCE');
    expect(ledger.balances.nodes[0]).toEqual({
      asset: expect.any(String),
      total: { amount: expect.stringMatching(/^-?\d+(\.\d+)?$/) },
    });
    // SIGTERM drains and stops the gateway itself (npx and sh die of the signal: their exit code
    // says nothing about the gateway's).
    await stopGroup(gateway);
    await expect(fetch(gateway.url.replace('/graphql', '/health'))).rejects.toThrow();
  });

  /**
   * Runs `use-api.mjs` with `node`: the package's API from a plain .mjs file, against the demo's
   * Blnk simulator, and checks what it answered.
   */
  async function useApi(node: string): Promise<void> {
    const blnk = demo.sources.find((source) => source.kind === 'blnk')!;
    await writeFile(
      join(app, 'use-api.mjs'),
      [
        "import { once } from 'node:events';",
        "import { createServer } from 'node:http';",
        "import { createGateway, parseConfig, ConfigError } from 'balance-gateway';",
        'const gateway = createGateway(parseConfig({ sources: [JSON.parse(process.env.SOURCE)] }));',
        "const server = createServer(gateway.yoga).listen(0, '127.0.0.1');",
        "await once(server, 'listening');",
        "const query = '{ ledgers(first: 10) { nodes { name balances(first: 1) { nodes { asset available { minorUnits scale } } } } } }';",
        'const response = await fetch(`http://127.0.0.1:${server.address().port}/graphql`, {',
        "  method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query }),",
        '});',
        'const answer = await response.json();',
        'let refused;',
        "try { parseConfig({ sources: [{ name: 'x', kind: 'no-such-vendor' }] }); } catch (error) { refused = error instanceof ConfigError; }",
        "const { readFile } = await import('node:fs/promises');",
        "const sdl = await readFile(new URL(import.meta.resolve('balance-gateway/schema/money.graphql')), 'utf8');",
        'server.close();',
        'await gateway.close();',
        'process.stdout.write(JSON.stringify({ answer, refused, sdl }));',
      ].join('\n'),
    );
    demo.simulators.blnk.resetRequests();
    const { stdout } = await run(node, ['use-api.mjs'], {
      cwd: app,
      env: childEnvironment({ SOURCE: JSON.stringify(blnk) }),
      timeout: 20_000,
    });
    const { answer, refused, sdl } = JSON.parse(stdout);
    // The SDL ships and is exported as balance-gateway/schema/*.graphql.
    expect(sdl).toMatch(/\btype Money\b/);
    expect(answer.errors).toBeUndefined();
    const balances = answer.data.ledgers.nodes.flatMap((ledger: any) => ledger.balances.nodes);
    expect(balances.length).toBeGreaterThan(0);
    for (const balance of balances)
      expect(balance.available).toEqual({ minorUnits: expect.stringMatching(/^-?\d+$/), scale: expect.any(Number) });
    expect(refused).toBe(true);
    // The answer came from the simulator, with the configured key.
    expect(demo.simulators.blnk.requests.length).toBeGreaterThan(0);
    expect(demo.simulators.blnk.requests[0]!.headers['x-blnk-key']).toBe((blnk.auth as { apiKey: string }).apiKey);
  }

  it('`import { createGateway, parseConfig } from "balance-gateway"` works from a plain .mjs file against a simulator', async () => {
    await useApi(process.execPath);
  });

  it("its declarations type a TypeScript consumer (exports' types, through dist/'s own imports)", async () => {
    await writeFile(
      join(app, 'consumer.ts'),
      [
        "import { createGateway, parseConfig, type GatewayConfig, type Connector, type GatewayServer, type Readiness } from 'balance-gateway';",
        'const config: GatewayConfig = parseConfig({ sources: [] });',
        'const gateway = createGateway(config);',
        '// @ts-expect-error: the port is a number (were the types lost to `any`, this line would be unused)',
        'const port: string = config.server.port;',
        '// @ts-expect-error: close() takes no callback',
        'gateway.close(() => {});',
        'const server: GatewayServer = gateway.yoga;',
        'const readiness: Readiness = gateway.readiness;',
        'export const uses: Array<Connector | string | object> = [port, server, readiness];',
      ].join('\n'),
    );
    await writeFile(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          module: 'nodenext',
          moduleResolution: 'nodenext',
          target: 'es2023',
          lib: ['esnext'],
          strict: true,
          noEmit: true,
          skipLibCheck: true,
          typeRoots: [join(repository, 'node_modules', '@types')],
          types: ['node'],
        },
        files: ['consumer.ts'],
      }),
    );
    const tsc = join(repository, 'node_modules', 'typescript', 'bin', 'tsc');
    const result = await run(process.execPath, [tsc, '-p', 'tsconfig.json'], { cwd: app, timeout: 60_000 }).catch(
      (error: { stdout: string }) => ({ stdout: error.stdout }),
    );
    expect(result.stdout).toBe('');
  });

  it.runIf(hasOldNode)('the installed bin refuses a Node older than engines.node, saying which it needs', async () => {
    const failure = await run(OLD_NODE, [installedBin(), '--demo'], { cwd: app, timeout: 10_000 }).catch(
      (error: { code: number; stderr: string }) => error,
    );
    expect((failure as { code: number }).code).toBe(1);
    expect((failure as { stderr: string }).stderr).toContain(
      `needs Node 22.15 or newer; this is Node ${oldNodeVersion}`,
    );
  });

  // The floor engines.node claims, run for real: every connector, the HTTP stack and the API on the
  // oldest Node a user may install it on, where the repository itself runs on a newer one.
  it.runIf(FLOOR_NODE !== undefined || process.env.CI === 'true')(
    `runs on the oldest Node engines.node allows (${FLOOR}): the bin answers from all five vendors, and the API works`,
    async () => {
      expect(
        FLOOR_NODE,
        `BALANCE_GATEWAY_FLOOR_NODE is unset: .ci/run fetches node@${FLOOR} and sets it`,
      ).toBeDefined();
      const { stdout: version } = await run(FLOOR_NODE!, ['-p', 'process.versions.node'], { timeout: 10_000 });
      expect(version.trim()).toBe(FLOOR);
      const gateway = runCommand(FLOOR_NODE!, [installedBin(), '--demo', '--port', '0']);
      try {
        const [, url] = await waitFor(gateway, /listening on (http:\/\/\S+\/graphql)/);
        const body = await ask(
          url!,
          '{ ledgers(first: 50) { nodes { source { kind } balances(first: 1) { nodes { total { amount } } } } } }',
        );
        expect(body.errors).toBeUndefined();
        const ledgers = body.data.ledgers.nodes as Array<{ source: { kind: string }; balances: { nodes: any[] } }>;
        expect([...new Set(ledgers.map((ledger) => ledger.source.kind))].sort()).toEqual([
          'BLNK',
          'FORMANCE',
          'LEDGER_ENTERPRISE',
          'MIDAZ',
          'VONAGE',
        ]);
        for (const balance of ledgers.flatMap((ledger) => ledger.balances.nodes))
          expect(balance.total.amount).toMatch(/^-?\d+(\.\d+)?$/);
      } finally {
        gateway.stop();
      }
      // Started by node itself, not through npx: its exit code is the gateway's (drained, then 0).
      expect(await gateway.exited).toBe(0);
      await useApi(FLOOR_NODE!);
    },
    60_000,
  );
});
