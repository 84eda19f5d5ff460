import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { afterEach, expect } from 'vitest';
import { parseConfig } from '../../src/config.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/logger.ts';
import { encodeGlobalId } from '../../src/relay/global-id.ts';
import { type DemoSources, type DemoVendor, startDemoSources } from '../../src/simulators/demo.ts';
import { startRedis, type TestRedis } from './redis.ts';
import { until } from './until.ts';

/**
 * Two gateways in the test process (each its own SharedRedis connection, as two replicas) against
 * one real redis-server and the simulators (issue 16 item 5), for the shared-state replica tests.
 */

export const ACCOUNT = 'query($id: ID!) { account(id: $id) { address } }';
const HEALTH = '{ sources { name health { circuit consecutiveFailures } } }';

export interface TestReplica {
  readonly gateway: Gateway;
  readonly url: string;
  readonly logs: string[];
  query(query: string, variables?: Record<string, unknown>, signal?: AbortSignal): Promise<Answer>;
}

export interface Answer {
  data?: Record<string, unknown> | null;
  errors?: Array<{ message: string; extensions?: Record<string, unknown> }>;
}

export interface ReplicaOptions {
  server?: Record<string, unknown>;
  sources?: Record<string, Record<string, unknown>>;
  /** One replica's own `server` fields, by index. */
  each?: Array<Record<string, unknown>>;
}

/** What a test of two replicas works with; `start` fills it, and an afterEach empties it. */
export interface SharedStateWorld {
  /** Redis, the simulators, and two replicas of one configuration, each on its own socket. */
  start(options?: ReplicaOptions): Promise<[TestReplica, TestReplica]>;
  readonly redis: TestRedis;
  readonly demo: DemoSources;
  /** A plain connection to the test Redis, for reading and planting keys. */
  readonly probe: Redis;
  /** The demo account ids of `vendor`'s largest ledger. */
  accountIds(vendor: DemoVendor): string[];
}

/** Call at the top of a test file: registers the afterEach that stops what `start` started. */
export function useSharedStateReplicas(): SharedStateWorld {
  let redis: TestRedis | undefined;
  let demo: DemoSources | undefined;
  let probe: Redis | undefined;
  let servers: Server[] = [];
  let gateways: Gateway[] = [];
  afterEach(async () => {
    probe?.disconnect();
    for (const server of servers) {
      server.closeAllConnections();
      server.close();
    }
    await Promise.all(gateways.map((gateway) => gateway.close()));
    await demo?.close();
    await redis?.stop();
    servers = [];
    gateways = [];
    probe = undefined;
    demo = undefined;
    redis = undefined;
  });
  return {
    get redis() {
      return redis!;
    },
    get demo() {
      return demo!;
    },
    get probe() {
      return probe!;
    },
    accountIds(vendor) {
      const truth = demo!.simulators[vendor].truth;
      const ledger = [...truth.ledgers()].sort((a, b) => truth.accounts(b.id).length - truth.accounts(a.id).length)[0]!;
      return truth
        .accounts(ledger.id)
        .map((account) => encodeGlobalId('Account', [`${vendor}-demo`, ledger.id, account.id]));
    },
    async start(options = {}) {
      redis = await startRedis();
      demo = await startDemoSources();
      probe = new Redis(redis.url, { maxRetriesPerRequest: 0 });
      // A test that kills Redis leaves the probe reconnecting: its errors are expected.
      probe.on('error', () => {});
      const config = {
        server: {
          cursorSecret: 'test-cursor-secret-0123456789',
          ...options.server,
          redis: { ...(options.server?.redis as object | undefined), url: redis.url },
        },
        sources: demo.sources.map((source) => ({ ...source, ...options.sources?.[String(source.name)] })),
      };
      const started = await Promise.all(
        [0, 1].map(async (index) => {
          const logs: string[] = [];
          const own = { ...config, server: { ...config.server, ...options.each?.[index] } };
          const gateway = createGateway(parseConfig(own), {
            logger: createLogger('debug', (line) => logs.push(line)),
          });
          gateways.push(gateway);
          const server = createServer(gateway.yoga);
          servers.push(server);
          await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
          const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
          const replica: TestReplica = {
            gateway,
            url,
            logs,
            query: (query, variables, signal) => post(url, query, variables, signal),
          };
          return replica;
        }),
      );
      // A replica shares nothing until it is connected: wait until both connections of each (commands,
      // and the breakers' subscriber) have sent Redis a command.
      const spoken = async () =>
        String(await probe!.client('LIST'))
          .split('\n')
          .filter((line) => / cmd=/.test(line) && !/ cmd=(NULL|client\|list) /.test(line)).length;
      expect(await until(async () => (await spoken()) >= 4)).toBe(true);
      return started as [TestReplica, TestReplica];
    },
  };
}

async function post(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  signal?: AbortSignal,
): Promise<Answer> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query, variables }),
    ...(signal ? { signal } : {}),
  });
  return (await response.json()) as Answer;
}

export async function healthOf(replica: TestReplica, source: string) {
  const answer = await replica.query(HEALTH);
  const sources = (answer.data?.sources ?? []) as Array<{ name: string; health: Record<string, unknown> }>;
  return sources.find((entry) => entry.name === source)?.health;
}
export const codesOf = (answer: Answer) => (answer.errors ?? []).map((error) => error.extensions?.code);

/** `operations` account lookups through `replica`, `concurrency` at a time; the error codes seen. */
export async function load(
  replica: TestReplica,
  ids: string[],
  operations: number,
  concurrency: number,
): Promise<unknown[]> {
  const codes: unknown[] = [];
  let next = 0;
  const worker = async () => {
    while (next < operations) {
      const id = ids[next % ids.length];
      next += 1;
      codes.push(...codesOf(await replica.query(ACCOUNT, { id })));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return codes;
}

/** Settles on the next turn of the event loop: what a promise that settles "at once" (in microtasks) beats. */
export const nextTurn = <T>(value: T) => new Promise<T>((resolve) => setImmediate(resolve, value));
