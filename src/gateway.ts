import { randomBytes } from 'node:crypto';
import type { GatewayConfig } from './config.ts';
import type { GatewayRuntime } from './context.ts';
import { createLogger, type Logger } from './logger.ts';
import { callPricingOf } from './providers/call-pricing.ts';
import { createConnector } from './providers/index.ts';
import type { CircuitBreaker, SourceQuota } from './providers/http/index.ts';
import { createSourceTransport } from './providers/http/index.ts';
import type { Connector } from './providers/types.ts';
import { createAuthenticator } from './auth/index.ts';
import { createCursorCodec } from './relay/cursor.ts';
import type { Readiness } from './plugins/readiness.ts';
import { createServer, type GatewayServer } from './server.ts';
import { createSharedState } from './shared-state/index.ts';
import { createTelemetry, type Telemetry } from './telemetry/index.ts';

export interface Gateway {
  /** The yoga server; `yoga.fetch` serves a request in process, `yoga` is also a Node request listener. */
  readonly yoga: GatewayServer;
  readonly runtime: GatewayRuntime;
  /** `/ready` answers 503 once `draining` is set (on SIGTERM). */
  readonly readiness: Readiness;
  /** Metrics (`telemetry.metrics.text()` is what `/metrics` serves) and traces. */
  readonly telemetry: Telemetry;
  /**
   * Resolves once what replicas share (`server.redis`) is connected, or after its connect deadline
   * (Redis down: the replica runs on its own until it connects); at once without `server.redis`.
   * The CLI waits for it before listening, so a new replica shares from its first request.
   */
  connected(): Promise<void>;
  /** Closes every source's connections, then exports the spans still buffered. */
  close(): Promise<void>;
}

export interface GatewayOptions {
  readonly logger?: Logger;
}

/**
 * Builds the connectors of a validated configuration and the server in front of them. `config` is
 * what `parseConfig` or `loadConfig` returned: they are where every field (each source's own
 * options included) is checked, once; nothing here checks again.
 */
export function createGateway(config: GatewayConfig, options: GatewayOptions = {}): Gateway {
  const logger = options.logger ?? createLogger('info');
  const connectors = new Map<string, Connector>();
  const breakers = new Map<string, CircuitBreaker>();
  const quotas = new Map<string, SourceQuota>();
  // Reads `breakers` when scraped, so it may be filled after.
  const telemetry = createTelemetry(config.server, breakers, {
    onExportError: (code) => logger.warn('traces could not be exported at shutdown', { code }),
  });
  // server.redis: quotas, tokens, breakers and the read cache shared by every replica; without it, all in process.
  const shared = config.server.redis
    ? createSharedState(config.server.redis, logger, config.server.cursorSecret ?? undefined)
    : undefined;
  for (const source of config.sources) {
    const sharing = shared?.forSource(source.name);
    const transport = { ...createSourceTransport(source.name, source.transport, logger, sharing), telemetry };
    connectors.set(source.name, createConnector(source, transport));
    breakers.set(source.name, transport.breaker);
    if (transport.quota) quotas.set(source.name, transport.quota);
  }
  const timeouts = new Map(config.sources.map((source) => [source.name, source.timeoutMs]));
  shared?.linkBreakers(breakers, (source) => timeouts.get(source) ?? 0);
  const readiness: Readiness = { draining: false };
  const runtime: GatewayRuntime = {
    connectors,
    breakers,
    quotas,
    cursors: createCursorCodec(config.server.cursorSecret ?? randomBytes(32)),
    authenticator: createAuthenticator(config.server.auth, { logger }),
  };
  return {
    yoga: createServer(runtime, {
      config: config.server,
      logger,
      readiness,
      pricing: callPricingOf(config.sources),
      telemetry,
    }),
    readiness,
    runtime,
    telemetry,
    connected: async () => {
      await shared?.redis.connected();
    },
    close: async () => {
      await Promise.all([...connectors.values()].map((connector) => connector.close()));
      await shared?.close();
      await telemetry.shutdown();
    },
  };
}
