import { Redis } from 'ioredis';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real Redis for the tests (issue 16 item 6): Debian's `redis-server`, which `.ci/run` installs
 * when it runs as root with apt-get. Each server listens on its own free 127.0.0.1 port, keeps
 * nothing on disk (no RDB, no AOF, its directory a fresh temp dir removed at stop) and is stopped
 * by the test that started it.
 */

function findRedisServer(): string | null {
  try {
    return execFileSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' }).trim() || null;
  } catch {
    return null;
  }
}

const REDIS_SERVER = findRedisServer();

/** Why Redis tests cannot run here, for `it.skipIf(REDIS_MISSING)` and its message; null when they can. */
export const REDIS_MISSING: string | null =
  REDIS_SERVER === null
    ? 'redis-server is not installed: `apt-get install -y redis-server` (.ci/run does it when it runs as root)'
    : null;

export interface TestRedis {
  /** `redis://127.0.0.1:PORT`. */
  readonly url: string;
  readonly port: number;
  /** Sends PING on a fresh connection; true on `+PONG` within a second. */
  ping(): Promise<boolean>;
  /** Kills the server at once (SIGKILL), as a crash: for "Redis went away mid-test". */
  kill(): Promise<void>;
  /** Freezes the server (SIGSTOP): connections stay open and nothing is answered, as a Redis stuck in a long command. */
  pause(): void;
  /** Lets a paused server go on (SIGCONT). */
  resume(): void;
  /** Starts it again on the same port, empty (after `kill`). */
  restart(): Promise<void>;
  /** Stops the server and removes its directory; calling it again does nothing. */
  stop(): Promise<void>;
}

/** Starts a redis-server on a free 127.0.0.1 port; throws REDIS_MISSING's message when there is none. */
export async function startRedis(): Promise<TestRedis> {
  if (REDIS_SERVER === null) throw new Error(REDIS_MISSING ?? 'redis-server is missing');
  const dir = mkdtempSync(join(tmpdir(), 'gateway-redis-'));
  let port = 0;
  let child: ChildProcess | undefined;
  // A port found free can be taken before redis binds it (another test process): try a few.
  for (let tries = 0; child === undefined; tries += 1) {
    port = await freePort();
    try {
      child = await launch(REDIS_SERVER, port, dir);
    } catch (error) {
      if (tries >= 4) {
        rmSync(dir, { recursive: true, force: true });
        throw error;
      }
    }
  }
  let stopped = false;
  const redis: TestRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    ping: () => ping(port),
    async kill() {
      await exitOf(child, 'SIGKILL');
    },
    pause() {
      child?.kill('SIGSTOP');
    },
    resume() {
      child?.kill('SIGCONT');
    },
    async restart() {
      child = await launch(REDIS_SERVER, port, dir);
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      child?.kill('SIGCONT');
      await exitOf(child, 'SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return redis;
}

/** Runs redis-server in the foreground and resolves once it accepts connections (10 s at most). */
function launch(binary: string, port: number, dir: string): Promise<ChildProcess> {
  const child = spawn(
    binary,
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return new Promise((resolve, reject) => {
    let output = '';
    const fail = (why: string) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`redis-server did not start on port ${port}: ${why}`));
    };
    const timer = setTimeout(() => fail('no "Ready to accept connections" within 10 s'), 10_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ready to accept connections')) {
        clearTimeout(timer);
        child.off('exit', exited);
        child.stdout?.removeAllListeners('data');
        child.stdout?.resume();
        resolve(child);
      }
    });
    child.stderr?.resume();
    const exited = (code: number | null) => fail(`exited with ${code}; ${output.split('\n').slice(-3).join(' ')}`);
    child.once('exit', exited);
  });
}

function exitOf(child: ChildProcess | undefined, signal: NodeJS.Signals): Promise<void> {
  if (child === undefined || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill(signal);
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), 1000);
    let answer = '';
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString();
      if (answer.includes('\r\n')) done(answer.startsWith('+PONG'));
    });
    socket.on('error', () => done(false));
  });
}

/**
 * How many connections, other than the one asking, Redis has answered a command on: ioredis sends
 * INFO before it calls a connection ready, so a gateway's connections count once ready (its command
 * connection and the breakers' subscriber: two per replica).
 */
export async function readyConnections(url: string): Promise<number> {
  const probe = new Redis(url, { maxRetriesPerRequest: 0 });
  try {
    const list = String(await probe.client('LIST'));
    return list
      .split('\n')
      .filter((line) => line.includes(' cmd=') && !line.includes(' cmd=NULL') && !line.includes(' cmd=client|list'))
      .length;
  } finally {
    probe.disconnect();
  }
}
