import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

const repository = join(import.meta.dirname, '..', '..');

/** The tag `.ci/node-base-image.sh` gives the stand-in for node:26-trixie-slim it builds. */
export const STAND_IN_BASE = 'localhost/balance-gateway-node-base:26';
const OFFICIAL_BASE = 'node:26-trixie-slim';

function onPath(command: string): boolean {
  const directories = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  return directories.some((directory) => directory !== '' && existsSync(join(directory, command)));
}

/**
 * podman's environment for these tests. Unless the caller chose a CONTAINERS_CONF, and where runc
 * is installed, podman reads the repository's `.ci/containers.conf` (runc, lower ulimits: what
 * podman 4.3 needs on the project's machines) instead of the machine's or the user's files, so no
 * machine-wide setting is needed. Without runc (a laptop with crun only) podman keeps its own.
 */
export const podmanEnv: NodeJS.ProcessEnv =
  process.env.CONTAINERS_CONF === undefined && onPath('runc')
    ? { ...process.env, CONTAINERS_CONF: join(repository, '.ci', 'containers.conf') }
    : process.env;

const run = promisify(execFile);
export function podman(args: string[], timeout = 60_000) {
  return run('podman', args, { timeout, maxBuffer: 64 * 1024 * 1024, env: podmanEnv });
}

function podmanSucceeds(args: string[]): boolean {
  try {
    execFileSync('podman', args, { stdio: 'ignore', timeout: 30_000, env: podmanEnv });
    return true;
  } catch {
    return false;
  }
}

export type BaseImage =
  | { readonly state: 'ready'; readonly image: string }
  | { readonly state: 'no-podman'; readonly reason: string }
  | { readonly state: 'missing'; readonly reason: string };

/**
 * The Node 26 base the image test builds on (the Dockerfile's NODE_IMAGE), found in podman's local
 * store: BALANCE_GATEWAY_NODE_IMAGE when set, else the official node:26-trixie-slim if pulled,
 * else the stand-in `.ci/node-base-image.sh` builds. No registry is reachable from the project's
 * machines, so nothing is pulled. When it is missing, the reason quotes the log `.ci/run` kept of
 * the stand-in's build (BALANCE_GATEWAY_NODE_BASE_LOG).
 */
export function findBaseImage(): BaseImage {
  if (!podmanSucceeds(['--version'])) return { state: 'no-podman', reason: 'podman is not installed' };
  const chosen = process.env.BALANCE_GATEWAY_NODE_IMAGE;
  const candidates = chosen ? [chosen] : [OFFICIAL_BASE, STAND_IN_BASE];
  const image = candidates.find((candidate) => podmanSucceeds(['image', 'exists', candidate]));
  if (image) return { state: 'ready', image };
  const log = process.env.BALANCE_GATEWAY_NODE_BASE_LOG;
  const built = log && existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').slice(-15).join('\n') : '';
  return {
    state: 'missing',
    reason:
      `podman is installed but no Node 26 base image is in its local store (looked for ${candidates.join(', ')}); ` +
      (built
        ? `.ci/node-base-image.sh's output (${log}):\n${built}`
        : 'build the stand-in with `bash .ci/node-base-image.sh` (README, "Container")'),
  };
}
