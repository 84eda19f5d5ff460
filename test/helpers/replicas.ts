import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { Pool } from 'undici';
import type { GraphQLResponse } from './gateway.ts';

/** A gateway replica in its own process (replica-child.ts), reached over a real socket. */
export interface Replica {
  /** Log lines it wrote so far. */
  readonly logs: string[];
  query<T = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<T>>;
  stop(): Promise<void>;
}

/** Starts a replica of `config` (a configuration file's content: `server` and `sources`). */
export async function startReplica(config: Record<string, unknown>): Promise<Replica> {
  const child: ChildProcess = fork(new URL('./replica-child.ts', import.meta.url), [], { stdio: 'inherit' });
  const logs: string[] = [];
  let reportPort: (port: number) => void = () => {};
  const port = new Promise<number>((resolve) => {
    reportPort = resolve;
  });
  child.on('message', (message: { log?: string; port?: number }) => {
    if (message.log !== undefined) logs.push(message.log);
    if (message.port !== undefined) reportPort(message.port);
  });
  child.send(config);
  const exited = once(child, 'exit').then(() => {
    throw new Error(`replica exited before listening; its last lines: ${logs.slice(-3).join(' ')}`);
  });
  const pool = new Pool(`http://127.0.0.1:${await Promise.race([port, exited])}`, { connections: 16 });
  return {
    logs,
    async query(query, variables) {
      const response = await pool.request({
        method: 'POST',
        path: '/graphql',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.body.text();
      return { status: response.statusCode, text, body: JSON.parse(text) };
    },
    async stop() {
      await pool.close();
      if (child.exitCode !== null || child.signalCode !== null) return;
      const gone = once(child, 'exit');
      child.disconnect();
      await gone;
    },
  };
}
