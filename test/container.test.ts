import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemoSources, type DemoSources } from '../src/simulators/demo.ts';
import { findBaseImage, podman } from './helpers/podman.ts';

const repository = join(import.meta.dirname, '..');

/**
 * The real build and run need podman and a Node 26 base image in its local store (no registry is
 * reachable from the project's machines; `.ci/run` builds a stand-in with `.ci/node-base-image.sh`).
 * Without podman (a laptop) that part is skipped, saying so; in CI (`CI=true`, which `.ci/run`
 * sets), where `.ci/run` installs podman, a missing podman or base is a failure that says why (for
 * the base, quoting why the stand-in could not be built).
 */
const base = findBaseImage();
const NODE_IMAGE = base.state === 'ready' ? base.image : '';
const realPart =
  base.state === 'ready'
    ? `the image, built on ${NODE_IMAGE} and run with podman`
    : `the image, built and run with podman (skipped: ${base.reason.split('\n')[0]})`;

interface Instruction {
  readonly keyword: string;
  readonly argument: string;
}
interface Stage {
  readonly from: string;
  readonly name: string | undefined;
  readonly instructions: Instruction[];
}

/** The Dockerfile's stages and instructions: comments dropped, `\` continuations joined. */
function parseDockerfile(text: string): { args: Instruction[]; stages: Stage[] } {
  const lines = text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const args: Instruction[] = [];
  const stages: Stage[] = [];
  for (const line of lines) {
    const [, keyword = '', argument = ''] = line.match(/^(\S+)\s*(.*)$/) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), argument };
    if (instruction.keyword === 'FROM') {
      const [, from = '', name] = argument.match(/^(\S+)(?:\s+AS\s+(\S+))?$/i) ?? [];
      stages.push({ from, name, instructions: [] });
    } else if (stages.length === 0) args.push(instruction);
    else stages.at(-1)!.instructions.push(instruction);
  }
  return { args, stages };
}

// The image's contract, read from the Dockerfile itself: this part is static and runs everywhere.
describe('the Dockerfile (static contract)', () => {
  let args: Instruction[];
  let stages: Stage[];
  let runtime: Stage;
  let build: Stage;
  beforeAll(async () => {
    ({ args, stages } = parseDockerfile(await readFile(join(repository, 'Dockerfile'), 'utf8')));
    runtime = stages.at(-1)!;
    build = stages.find((stage) => stage.name === 'build')!;
  });
  const all = (stage: Stage, keyword: string) =>
    stage.instructions.filter((instruction) => instruction.keyword === keyword).map(({ argument }) => argument);

  it('is multi-stage on a Node 26 base: a build stage with the dev dependencies, a runtime stage after it', () => {
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(build).toBeDefined();
    expect(runtime.name).toBe('runtime');
    expect(all(build, 'RUN').some((command) => /\bnpm ci\b/.test(command) && !/--omit=dev/.test(command))).toBe(true);
    for (const stage of [build, runtime]) expect(stage.from).toBe('${NODE_IMAGE}');
    // The default base: the official slim Node 26 image (a mirror may replace it with --build-arg).
    expect(args).toEqual([{ keyword: 'ARG', argument: 'NODE_IMAGE=node:26-trixie-slim' }]);
  });

  it('builds dist/ and drops the dev dependencies before the runtime copies node_modules', () => {
    const runs = all(build, 'RUN').join(' && ');
    expect(runs).toMatch(/npm run build\b.*npm prune --omit=dev/);
  });

  it('copies into the runtime only package.json, production node_modules, bin/, dist/ and schema/', () => {
    const copies = all(runtime, 'COPY');
    expect(all(runtime, 'ADD')).toEqual([]);
    expect(copies.every((copy) => copy.startsWith('--from=build '))).toBe(true);
    const sources = copies.map((copy) => copy.split(/\s+/)[1]!.replace(/^\/build\//, ''));
    expect(sources.sort()).toEqual(['bin', 'dist', 'node_modules', 'package.json', 'schema']);
    // No RUN: nothing is installed or built in the runtime stage.
    expect(all(runtime, 'RUN')).toEqual([]);
  });

  it('runs as a non-root user, checks /health, and starts the compiled bin with the mounted config', () => {
    const [user] = all(runtime, 'USER');
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
    const [healthcheck] = all(runtime, 'HEALTHCHECK');
    expect(healthcheck).toMatch(/CMD .*http:\/\/127\.0\.0\.1:4000\/health/);
    const [entrypoint] = all(runtime, 'ENTRYPOINT');
    const [command] = all(runtime, 'CMD');
    // bin/balance-gateway.js through the script that sizes V8's young generation (container-entrypoint.test.ts).
    expect(JSON.parse(entrypoint!)).toEqual(['/app/bin/container-entrypoint.sh']);
    expect(JSON.parse(command!)).toEqual([
      '--config',
      '/etc/balance-gateway/gateway.yaml',
      '--host',
      '0.0.0.0',
      '--port',
      '4000',
    ]);
  });

  it('.dockerignore lets only the build inputs into the context', async () => {
    const rules = (await readFile(join(repository, '.dockerignore'), 'utf8'))
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '' && !line.startsWith('#'));
    expect(rules[0]).toBe('*');
    expect(rules.slice(1).sort()).toEqual(
      ['bin/', 'package-lock.json', 'package.json', 'schema/', 'src/', 'tsconfig.build.json', 'tsconfig.json'].map(
        (path) => `!${path}`,
      ),
    );
  });
});

// In CI (`.ci/run` sets CI=true and installs podman) the real part must run: never a silent skip.
describe.runIf(base.state !== 'ready' && process.env.CI === 'true')('the image in CI', () => {
  it('has podman and a Node 26 base image to build on', () => {
    throw new Error(base.state === 'ready' ? 'unreachable' : base.reason);
  });
});

// The image for real: built with podman, its runtime layout inspected, then run with a mounted
// config whose secret comes from the environment, queried over HTTP, health-checked and stopped.
describe.runIf(base.state === 'ready')(realPart, () => {
  const tag = `localhost/balance-gateway-test:${process.pid}`;
  const container = `balance-gateway-test-${process.pid}`;
  let demo: DemoSources;
  let directory: string;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'gateway-container-'));
    demo = await startDemoSources();
    // The host's npm cache is lent to `npm ci`; the build network is the host's, where the registry is.
    // No layer cache: every run builds from its base and leaves no intermediate images behind.
    await podman(
      [
        'build',
        '--layers=false',
        '--format=docker',
        '--network=host',
        `--volume=${join(homedir(), '.npm')}:/root/.npm`,
        `--build-arg=NODE_IMAGE=${NODE_IMAGE}`,
        `--tag=${tag}`,
        repository,
      ],
      900_000,
    );
  }, 960_000);

  afterAll(async () => {
    await podman(['rm', '--force', '--time=0', container]).catch(() => {});
    await podman(['rmi', '--force', tag]).catch(() => {});
    await demo?.close();
    if (directory) await rm(directory, { recursive: true, force: true });
  }, 120_000);

  it('holds the runtime only (no sources, no dev dependencies) and runs as a non-root user', async () => {
    const probe = [
      "const fs = require('node:fs');",
      "console.log(JSON.stringify({ uid: process.getuid(), app: fs.readdirSync('/app').sort(),",
      "  dev: JSON.parse(process.env.DEV_ONLY).filter((path) => fs.existsSync('/app/' + path + '/package.json')),",
      "  prod: fs.existsSync('/app/node_modules/graphql-yoga'), cli: fs.existsSync('/app/dist/cli.js') }));",
    ].join('');
    // package-lock.json marks what only the dev dependencies need: none of it may be in the image.
    const lock = JSON.parse(await readFile(join(repository, 'package-lock.json'), 'utf8')) as {
      packages: Record<string, { dev?: boolean }>;
    };
    const devOnly = Object.entries(lock.packages)
      .filter(([path, entry]) => path !== '' && entry.dev)
      .map(([path]) => path);
    expect(devOnly).toContain('node_modules/typescript');
    const { stdout } = await podman([
      'run',
      '--rm',
      '--network=none',
      `--env=DEV_ONLY=${JSON.stringify(devOnly)}`,
      '--entrypoint=node',
      tag,
      '-e',
      probe,
    ]);
    const layout = JSON.parse(stdout);
    expect(layout.uid).toEqual(expect.any(Number));
    expect(layout.uid).not.toBe(0);
    expect(layout).toEqual({
      uid: layout.uid,
      app: ['bin', 'dist', 'node_modules', 'package.json', 'schema'],
      dev: [],
      prod: true,
      cli: true,
    });
  });

  it('serves balances from a mounted config with its secret from the environment, is healthy, and stops on SIGTERM with 0', async () => {
    const blnk = demo.sources.find((source) => source.kind === 'blnk')!;
    // The container reaches the host's 127.0.0.1 at slirp4netns's 10.0.2.2.
    const url = String(blnk.url).replace('127.0.0.1', '10.0.2.2');
    const file = join(directory, 'gateway.yaml');
    await writeFile(
      file,
      [
        'server: { graphiql: false }',
        'sources:',
        `  - name: payments`,
        `    kind: blnk`,
        `    url: "${url}"`,
        '    auth: { apiKey: "${BLNK_KEY}" }',
        `    currencyScales: ${JSON.stringify(blnk.currencyScales)}`,
      ].join('\n'),
    );
    await podman([
      'run',
      '--detach',
      `--name=${container}`,
      '--network=slirp4netns:allow_host_loopback=true',
      '--publish=127.0.0.1::4000',
      `--volume=${file}:/etc/balance-gateway/gateway.yaml:ro`,
      `--env=BLNK_KEY=${(blnk.auth as { apiKey: string }).apiKey}`,
      tag,
    ]);
    const { stdout: port } = await podman(['port', container, '4000']);
    const base = `http://${port.trim().split('\n')[0]}`;
    let health = 0;
    for (let waited = 0; health !== 200 && waited < 30_000; waited += 250) {
      health = await fetch(`${base}/health`).then(
        (response) => response.status,
        () => 0,
      );
      if (health !== 200) await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(health).toBe(200);
    demo.simulators.blnk.resetRequests();
    const response = await fetch(`${base}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        query:
          '{ ledgers(first: 10) { nodes { source { name } balances(first: 1) { nodes { available { minorUnits } } } } } }',
      }),
      signal: AbortSignal.timeout(15_000),
    });
    const body = (await response.json()) as any;
    expect(body.errors).toBeUndefined();
    const balances = body.data.ledgers.nodes.flatMap((ledger: any) => ledger.balances.nodes);
    expect(balances.length).toBeGreaterThan(0);
    expect(body.data.ledgers.nodes[0].source.name).toBe('payments');
    // The key reached the vendor from the container's environment, through the file's ${BLNK_KEY}.
    expect(demo.simulators.blnk.requests[0]!.headers['x-blnk-key']).toBe((blnk.auth as { apiKey: string }).apiKey);

    // The image's own HEALTHCHECK, run by podman inside the container.
    await expect(podman(['healthcheck', 'run', container])).resolves.toBeDefined();

    await podman(['stop', '--time=20', container], 60_000);
    const { stdout: exitCode } = await podman(['inspect', '--format={{.State.ExitCode}}', container]);
    expect(exitCode.trim()).toBe('0');
    const { stdout: logs } = await podman(['logs', container]);
    expect(logs).not.toContain((blnk.auth as { apiKey: string }).apiKey);
  });
});
