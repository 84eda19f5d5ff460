import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseConfig } from '../../src/config.ts';
import { createGateway, type Gateway } from '../../src/gateway.ts';
import { createLogger } from '../../src/logger.ts';
import { startDemoSources, type DemoSources, type DemoVendor } from '../../src/simulators/demo.ts';
import { secretsOf } from './secrets.ts';

export interface GraphQLResponse<T = Record<string, unknown>> {
  status: number;
  text: string;
  body: {
    data?: T | null;
    errors?: Array<{ message: string; path?: Array<string | number>; extensions?: { code?: string; source?: string } }>;
  };
}

export interface TestGateway {
  gateway: Gateway;
  demo: DemoSources;
  /** Log lines the gateway wrote. */
  logs: string[];
  /** Serves the gateway over a real socket on 127.0.0.1 and returns its `/graphql` URL (closed by `close`). */
  listen(): Promise<string>;
  /** POSTs a GraphQL request to the gateway in process (yoga.fetch: the full HTTP pipeline, no socket). */
  query<T = Record<string, unknown>>(
    query: string,
    variables?: Record<string, unknown>,
    headers?: Record<string, string>,
  ): Promise<GraphQLResponse<T>>;
  /** Upstream requests each simulator received since the last reset. */
  upstream(): Record<DemoVendor, number>;
  /**
   * Zeroes the simulators' request counts once no vendor call is in flight: a merged list reads
   * later sources speculatively, and such a read can outlive the answer that did not need it.
   */
  resetUpstream(options?: { settle?: boolean }): Promise<void>;
  close(): Promise<void>;
}

export interface TestGatewayOptions {
  /** Fields of the configuration's `server` block (auth, limits, …), beside a fixed cursor secret. */
  server?: Record<string, unknown>;
  /** Changes to the demo's source entries (a longer `timeoutMs` for one), by source name. */
  sources?: Record<string, Record<string, unknown>>;
}

/** The demo: all five simulators and a gateway configured for them, as `npm start` runs it. */
export async function startTestGateway(options: TestGatewayOptions = {}): Promise<TestGateway> {
  const demo = await startDemoSources();
  const logs: string[] = [];
  const config = parseConfig({
    server: { cursorSecret: 'test-cursor-secret-0123456789', ...options.server },
    sources: demo.sources.map((source) => ({ ...source, ...options.sources?.[String(source.name)] })),
  });
  const gateway = createGateway(config, { logger: createLogger('debug', (line) => logs.push(line)) });
  let server: Server | undefined;
  const answers: string[] = [];
  return {
    gateway,
    demo,
    logs,
    async listen() {
      server = createServer(gateway.yoga);
      await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
    },
    async query(query, variables, headers) {
      const response = await gateway.yoga.fetch('http://gateway.test/graphql', {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...headers },
        body: JSON.stringify({ query, variables }),
      });
      const text = await response.text();
      answers.push(text);
      return { status: response.status, text, body: JSON.parse(text) };
    },
    upstream: () =>
      Object.fromEntries(
        Object.entries(demo.simulators).map(([vendor, simulator]) => [vendor, simulator.requestCount]),
      ) as Record<DemoVendor, number>,
    async resetUpstream({ settle = true } = {}) {
      for (let quiet = 0; settle && quiet < 3; ) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        quiet = Object.values(demo.simulators).some((simulator) => simulator.inFlight > 0) ? 0 : quiet + 1;
      }
      for (const simulator of Object.values(demo.simulators)) simulator.resetRequests();
    },

    /** Closes everything, then fails if any answer or log line held a credential or a simulator URL. */
    async close() {
      if (server) await new Promise((resolve) => server!.close(resolve));
      await gateway.close();
      await demo.close();
      const secrets = secretsOf(demo);
      const leaked = secrets.filter((secret) => [...answers, ...logs].some((text) => text.includes(secret)));
      if (leaked.length > 0)
        throw new Error(
          `an answer or log line of this test gateway held ${leaked.length} configured secret(s) or vendor URL(s)`,
        );
    },
  };
}
