import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const bin = join(import.meta.dirname, '..', '..', 'bin', 'balance-gateway.js');

/** The `balance-gateway` command running in a process of its own. */
export interface Run {
  output: () => string;
  exited: Promise<number | null>;
  /** Sends SIGTERM. */
  stop: () => void;
}

export function run(args: string[], env: Record<string, string> = {}, nodeArgs: string[] = []): Run {
  return runCommand(process.execPath, [...nodeArgs, bin, ...args], env);
}

/** Any command (`bin/container-entrypoint.sh` through `sh`) run as `run` runs the gateway; `pid` is its process's. */
export function runCommand(command: string, args: string[], env: Record<string, string> = {}): Run & { pid: number } {
  const child = spawn(command, args, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => (output += chunk));
  return {
    pid: child.pid ?? 0,
    output: () => output,
    exited: new Promise((resolve) => child.on('exit', resolve)),
    stop: () => child.kill('SIGTERM'),
  };
}

/** Resolves with the first match of `pattern` in the command's output. */
export async function waitFor(run: Run, pattern: RegExp): Promise<RegExpMatchArray> {
  for (let waited = 0; waited < 15_000; waited += 50) {
    const match = run.output().match(pattern);
    if (match) return match;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`timed out waiting for ${pattern}; output:\n${run.output()}`);
}

/** The JSON log line whose `msg` is `message`. */
export function logLine(run: Run, message: string): Record<string, unknown> | undefined {
  const line = run
    .output()
    .split('\n')
    .find((text) => text.includes(`"msg":${JSON.stringify(message)}`));
  return line === undefined ? undefined : JSON.parse(line);
}

/**
 * Runs the command with `args` under test/helpers/loaded-modules.ts, asks `query` (with `headers`)
 * once it listens, so that what the gateway loads on first use is loaded as well, and stops it.
 * Answers the query's HTTP status, the exit code, and the URL of every module the process loaded
 * (listed in `listFile`).
 */
export async function modulesLoadedBy(
  args: string[],
  listFile: string,
  query: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; exitCode: number | null; modules: string[] }> {
  const hook = join(import.meta.dirname, 'loaded-modules.ts');
  const gateway = run(args, { LOADED_MODULES_FILE: listFile }, ['--import', hook]);
  let status: number;
  try {
    const [, url] = await waitFor(gateway, /listening on (http:\/\/\S+\/graphql)/);
    const response = await fetch(url!, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query }),
    });
    status = response.status;
    await response.arrayBuffer();
  } finally {
    gateway.stop();
  }
  const exitCode = await gateway.exited;
  return { status, exitCode, modules: (await readFile(listFile, 'utf8')).split('\n') };
}
