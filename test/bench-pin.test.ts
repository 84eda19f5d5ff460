import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { describe, expect, it } from 'vitest';
import { pin, pinned } from '../bench/side-by-side.ts';

/** Each thread of `pid` by name, with the cores it may run on (Linux). */
function threadCores(pid: number): Array<{ name: string; cores: string }> {
  return readdirSync(`/proc/${pid}/task`).map((task) => ({
    name: readFileSync(`/proc/${pid}/task/${task}/comm`, 'utf8').trim(),
    cores: /^Cpus_allowed_list:\s+(\S+)$/m.exec(readFileSync(`/proc/${pid}/task/${task}/status`, 'utf8'))?.[1] ?? '',
  }));
}

const runnable = pinned && existsSync('/proc/self/task') && availableParallelism() >= 2;

describe.skipIf(!runnable)('bench pin', () => {
  it("pins every thread of a running process, V8's helper threads too, not only its main thread", async () => {
    // A Node process that has started its helper threads (before any script runs), then waits.
    const child = spawn(process.execPath, ['-e', 'console.log("up"); setInterval(() => {}, 1000)'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    try {
      await once(child.stdout, 'data');
      const pid = child.pid!;
      // Threads besides the main one: V8's helpers and the platform's. Node 24 names the helpers
      // "V8Worker", Node 26 "node-V8Worker", Node 22 leaves them "node", so they are counted, not named.
      expect(threadCores(pid).length).toBeGreaterThan(4);
      pin('1', pid);
      expect(threadCores(pid)).toEqual(threadCores(pid).map(({ name }) => ({ name, cores: '1' })));
    } finally {
      child.kill();
      await once(child, 'exit');
    }
  });
});
