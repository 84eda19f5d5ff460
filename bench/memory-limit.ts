/**
 * BENCH_MEMORY_LIMIT=<MiB>: every bench server runs in a memory cgroup of that limit, as in a
 * container with that memory limit. Node sizes V8's heap from the limit it finds (its old
 * generation, and with it the young generation's largest size), so a server measured on a roomy
 * machine does not behave as the same server in a 512 MiB container.
 *
 * Linux only, and only where this process may create a cgroup: cgroup v1's memory hierarchy or
 * cgroup v2 with the memory controller delegated. Elsewhere the bench stops and says why, rather
 * than report figures without the limit. Each server process moves itself into the cgroup before
 * Node starts (a `sh` between fork and node writes its pid to `cgroup.procs`, then execs node with
 * the same pid), so the limit is in place when V8 sizes its heap.
 */
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** How a server process is started inside the limit: fork's `execPath` and `execArgv`. */
export interface LimitedLaunch {
  readonly execPath: string;
  /** The arguments that start the Node binary `node` with `nodeArguments` inside the limit. */
  readonly execArgv: (node: string, nodeArguments: readonly string[]) => string[];
  /** Says what limit and which cgroup, for the bench's header. */
  readonly description: string;
}

let created: LimitedLaunch | null | undefined;

/** The launch under BENCH_MEMORY_LIMIT, created once per bench process; undefined when it is unset. */
export function memoryLimitedLaunch(): LimitedLaunch | undefined {
  if (created === undefined) created = createLimit(process.env.BENCH_MEMORY_LIMIT);
  return created ?? undefined;
}

function createLimit(setting: string | undefined): LimitedLaunch | null {
  if (setting === undefined || setting === '') return null;
  if (!/^\d{2,6}$/.test(setting)) throw new Error(`BENCH_MEMORY_LIMIT is a size in MiB (e.g. 512), not "${setting}"`);
  const { directory, remove } = createMemoryCgroup(`balance-gateway-bench-${process.pid}`, Number(setting));
  process.once('exit', remove);
  return {
    execPath: '/bin/sh',
    execArgv: (node, nodeArguments) => ['-c', ENTER, join(directory, 'cgroup.procs'), node, ...nodeArguments],
    description: `each server in a ${setting} MiB memory cgroup (${directory})`,
  };
}

/**
 * `sh -c ENTER <cgroup.procs> <command> <arguments>`: the shell moves itself into the cgroup, then
 * execs the command, which keeps its pid and starts inside the limit.
 */
export const ENTER = 'echo $$ > "$0" && exec "$@"';

/**
 * A new memory cgroup named `name` limited to `mib` MiB, and a best-effort removal (a cgroup with a
 * process left in it stays). Throws, saying why, where this process may create none.
 */
export function createMemoryCgroup(name: string, mib: number): { directory: string; remove: () => void } {
  const directory = cgroupFor(name, mib * 1024 * 1024);
  return {
    directory,
    remove: () => {
      try {
        rmdirSync(directory);
      } catch {}
    },
  };
}

/** A new cgroup limited to `bytes`: v2 where the memory controller is delegated, else v1. */
function cgroupFor(name: string, bytes: number): string {
  const problems: string[] = [];
  /** `name` under `parent` with `bytes` in its `limitFile`, after `prepare`; undefined, noted, on failure. */
  const attempt = (kind: string, parent: string, limitFile: string, prepare = () => {}) => {
    try {
      prepare();
      const directory = join(parent, name);
      mkdirSync(directory);
      writeFileSync(join(directory, limitFile), String(bytes));
      return directory;
    } catch (error) {
      problems.push(`${kind} at ${parent}: ${(error as Error).message}`);
      return undefined;
    }
  };
  const v2 = '/sys/fs/cgroup';
  if (existsSync(join(v2, 'cgroup.controllers'))) {
    const parent = join(v2, ownCgroupV2());
    // The memory controller must be on for the parent's children.
    const delegate = () => {
      if (!readFileSync(join(parent, 'cgroup.subtree_control'), 'utf8').includes('memory'))
        writeFileSync(join(parent, 'cgroup.subtree_control'), '+memory');
    };
    const directory = attempt('cgroup v2', parent, 'memory.max', delegate);
    if (directory !== undefined) return directory;
  }
  const v1 = join(v2, 'memory');
  if (existsSync(join(v1, 'memory.limit_in_bytes'))) {
    const directory = attempt('cgroup v1', v1, 'memory.limit_in_bytes');
    if (directory !== undefined) return directory;
  }
  throw new Error(
    `a memory limit needs a memory cgroup this process may create, and found none${
      problems.length > 0 ? `: ${problems.join('; ')}` : ' (no cgroup v1 memory hierarchy or cgroup v2 here)'
    }`,
  );
}

/** This process's own cgroup v2 path (the `0::` line of /proc/self/cgroup). */
function ownCgroupV2(): string {
  const line = readFileSync('/proc/self/cgroup', 'utf8')
    .split('\n')
    .find((entry) => entry.startsWith('0::'));
  return line === undefined ? '' : line.slice(3);
}
