import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCommand, waitFor } from './helpers/cli.ts';

/**
 * The image's entrypoint (bin/container-entrypoint.sh) gives V8 a 16 MiB young generation where
 * the container's memory limit is 512 MiB or less, where V8 would keep it at 1 MiB (measured: about
 * half the answers per second, README "Container"). Run for real, under `sh`, against cgroup
 * files written here (BALANCE_GATEWAY_CGROUP_ROOT): the gateway it starts must listen, and the
 * environment Node started with (/proc/<pid>/environ: exec keeps the pid) must carry the flag
 * exactly when it should. BALANCE_GATEWAY_NODE_FLAGS must reach node's command line
 * (/proc/<pid>/cmdline), since Node refuses flags such as --heap-growing-percent in NODE_OPTIONS.
 */
const script = join(import.meta.dirname, '..', 'bin', 'container-entrypoint.sh');
const FLAG = '--max-semi-space-size=16';
let directory: string;

beforeAll(async () => {
  directory = await mkdtemp(join(tmpdir(), 'entrypoint-'));
});
afterAll(async () => {
  await rm(directory, { recursive: true, force: true });
});

/** The gateway the entrypoint started with these cgroup files and environment: its NODE_OPTIONS and command line. */
async function startedUnder(
  files: Record<string, string>,
  environment: Record<string, string> = {},
): Promise<{ nodeOptions: string | undefined; argv: string[] }> {
  const root = await mkdtemp(join(directory, 'cgroup-'));
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  const env: Record<string, string> = {
    // Empty unless the case sets it: none of this process's own NODE_OPTIONS.
    NODE_OPTIONS: '',
    ...environment,
    BALANCE_GATEWAY_CGROUP_ROOT: root,
    // The entrypoint runs `node` from the PATH, as in the image: this Node.
    PATH: `${dirname(process.execPath)}:${process.env.PATH}`,
  };
  const gateway = runCommand('sh', [script, '--demo', '--port', '0'], env);
  try {
    await waitFor(gateway, /listening on http:\/\//);
    // exec keeps the pid: these are Node's own.
    const started = (await readFile(`/proc/${gateway.pid}/environ`, 'utf8')).split('\0');
    const value = started.find((entry) => entry.startsWith('NODE_OPTIONS='))?.slice('NODE_OPTIONS='.length);
    const argv = (await readFile(`/proc/${gateway.pid}/cmdline`, 'utf8')).split('\0').filter(Boolean);
    return { nodeOptions: value === '' ? undefined : value, argv };
  } finally {
    gateway.stop();
    await gateway.exited;
  }
}

/** NODE_OPTIONS of the gateway the entrypoint started, with these cgroup files and NODE_OPTIONS. */
async function nodeOptionsUnder(files: Record<string, string>, nodeOptions?: string): Promise<string | undefined> {
  return (await startedUnder(files, nodeOptions === undefined ? {} : { NODE_OPTIONS: nodeOptions })).nodeOptions;
}

describe.runIf(process.platform === 'linux')('bin/container-entrypoint.sh', () => {
  it('adds the flag at a 512 MiB limit, under cgroup v2 and v1', async () => {
    expect(await nodeOptionsUnder({ 'memory.max': '536870912\n' })).toBe(FLAG);
    expect(await nodeOptionsUnder({ 'memory/memory.limit_in_bytes': '268435456\n' })).toBe(FLAG);
  });

  it('adds nothing above 512 MiB, without a limit, or without cgroup files', async () => {
    expect(await nodeOptionsUnder({ 'memory.max': '536870913\n' })).toBeUndefined();
    expect(await nodeOptionsUnder({ 'memory.max': 'max\n' })).toBeUndefined();
    // cgroup v1 without a limit says so with the largest page-aligned number.
    expect(await nodeOptionsUnder({ 'memory/memory.limit_in_bytes': '9223372036854771712\n' })).toBeUndefined();
    expect(await nodeOptionsUnder({})).toBeUndefined();
  });

  it("keeps the operator's NODE_OPTIONS, and their own young-generation size wins", async () => {
    const small = { 'memory.max': '536870912\n' };
    expect(await nodeOptionsUnder(small, '--max-old-space-size=200')).toBe(`--max-old-space-size=200 ${FLAG}`);
    expect(await nodeOptionsUnder(small, '--max-semi-space-size=8')).toBe('--max-semi-space-size=8');
    expect(await nodeOptionsUnder(small, '--max_semi_space_size=8')).toBe('--max_semi_space_size=8');
  });

  it("puts BALANCE_GATEWAY_NODE_FLAGS on node's command line, where Node takes the V8 flags NODE_OPTIONS refuses", async () => {
    const small = { 'memory.max': '536870912\n' };
    const { nodeOptions, argv } = await startedUnder(small, {
      BALANCE_GATEWAY_NODE_FLAGS: ' --heap-growing-percent=80   --stack-trace-limit=20 ',
    });
    // node, the flags as separate words, then the gateway's script and the entrypoint's arguments.
    expect(argv.slice(1, 3)).toEqual(['--heap-growing-percent=80', '--stack-trace-limit=20']);
    expect(argv[3]).toMatch(/balance-gateway\.js$/);
    expect(argv.slice(4)).toEqual(['--demo', '--port', '0']);
    expect(nodeOptions).toBe(FLAG);
    // A young-generation size among those flags wins, as one in NODE_OPTIONS does.
    const own = await startedUnder(small, { BALANCE_GATEWAY_NODE_FLAGS: '--max-semi-space-size=8' });
    expect(own.nodeOptions).toBeUndefined();
    expect(own.argv.slice(1, 2)).toEqual(['--max-semi-space-size=8']);
  });
});
