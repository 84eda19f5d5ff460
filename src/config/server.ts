import type { z } from 'zod';
import { authSchema, checkAuth, readAuthConfig } from '../auth/config.ts';
import type { AuthConfig } from '../auth/index.ts';
import { flag, httpUrl, integer, list, matching, oneOf, strict, text } from '../config-fields.ts';
import { DEFAULT_LIMITS, limitsSchema, type OperationLimits, readLimits } from '../limits/index.ts';
import {
  type AdmissionConfig,
  admissionFields,
  checkAdmission,
  DEFAULT_ADMISSION,
  readAdmission,
} from '../plugins/admission-config.ts';
import {
  DEFAULT_METRICS,
  DEFAULT_TELEMETRY,
  type MetricsConfig,
  type TelemetryConfig,
} from '../telemetry/telemetry-config.ts';
import type { ConfigProblems } from './problems.ts';

export type { MetricsConfig, TelemetryConfig };

/** `development` serves GraphiQL and introspection; `production` turns both off and hides field suggestions. */
export type ServerMode = 'development' | 'production';

export interface ServerConfig extends AdmissionConfig {
  readonly mode: ServerMode;
  /** Interface to listen on. Default 127.0.0.1. */
  readonly host: string;
  /** Port to listen on. Default 4000. */
  readonly port: number;
  /** Serve GraphiQL at /graphql to browsers. Default: on in development mode, off (and not allowed) in production. */
  readonly graphiql: boolean;
  /** Run the queries clients repeat compiled (graphql-jit) rather than interpreted. Default on. */
  readonly compiledExecution: boolean;
  /** Origins allowed to call the gateway from a browser (CORS). Empty: no CORS headers, only same-origin pages. */
  readonly corsOrigins: readonly string[];
  /** Persisted-operations-only mode: hash → operation text from `persistedOperations`; null when any operation may run. */
  readonly persistedOperations: ReadonlyMap<string, string> | null;
  /** After SIGTERM, how long requests are still accepted while `/ready` answers 503. */
  readonly drainNoticeMs: number;
  /** How long SIGTERM then waits for in-flight requests before closing their connections. */
  readonly drainMs: number;
  /** Deadline of one request, end to end: past it, its vendor calls are aborted and it answers with what it has. */
  readonly requestTimeoutMs: number;
  /** Key that seals Relay cursors; random per start when null (cursors then die with the process). */
  readonly cursorSecret: string | null;
  /** Client authentication; null when off (every caller sees every source). */
  readonly auth: AuthConfig | null;
  /** Operation limits, checked before any vendor is called. */
  readonly limits: OperationLimits;
  readonly metrics: MetricsConfig;
  readonly telemetry: TelemetryConfig;
  /** `server.redis`: share quotas, tokens, breakers and the read cache between replicas (src/shared-state/); null: all in process. */
  readonly redis: RedisConfig | null;
}

/** Where replicas meet: a Redis URL (`redis://` or `rediss://`, a password in it allowed) and the prefix of every key. */
export interface RedisConfig {
  readonly url: string;
  /** Default `balance-gateway:`; replicas that share must use the same one. */
  readonly keyPrefix: string;
  /** How many replicas share the Redis: while it is away each keeps 1/replicas of every source's `rateLimit`. Default 1. */
  readonly replicas: number;
}

export const DEFAULT_SERVER: ServerConfig = {
  mode: 'development',
  host: '127.0.0.1',
  port: 4000,
  graphiql: true,
  compiledExecution: true,
  corsOrigins: [],
  persistedOperations: null,
  drainNoticeMs: 0,
  drainMs: 10_000,
  requestTimeoutMs: 15_000,
  ...DEFAULT_ADMISSION,
  cursorSecret: null,
  auth: null,
  limits: DEFAULT_LIMITS,
  metrics: DEFAULT_METRICS,
  telemetry: DEFAULT_TELEMETRY,
  redis: null,
};

/** An exact origin (`https://app.example.com`), never a wildcard, which would let any site read balances. */
const origin = text().refine((value) => {
  try {
    const parsed = new URL(value).origin;
    return parsed !== 'null' && parsed === value;
  } catch {
    return false;
  }
}, 'must be an origin such as https://app.example.com (scheme, host and port only; no wildcard)');

/** The `server` block. */
export const serverSchema = strict({
  mode: oneOf(['development', 'production'], 'must be development or production')
    .optional()
    .describe('production: no GraphiQL, introspection or "Did you mean" suggestions. Default development.'),
  host: text().optional().describe('Interface to listen on (--host overrides). Default 127.0.0.1.'),
  port: integer(0, 65535)
    .optional()
    .describe('Port to listen on (--port overrides; 0 picks a free one). Default 4000.'),
  graphiql: flag()
    .optional()
    .describe('Serve GraphiQL at /graphql to browsers; cannot be on in production. Default: on in development.'),
  compiledExecution: flag()
    .optional()
    .describe('Run the queries clients repeat compiled by graphql-jit (false: always interpreted). Default true.'),
  corsOrigins: list(origin)
    .optional()
    .describe('Exact origins (https://app.example.com) a browser page may call from; no wildcard. Default none.'),
  persistedOperations: text()
    .optional()
    .describe('Path to a JSON file of SHA-256 → operation text; when set, only those operations run.'),
  drainNoticeMs: integer(0, 600_000)
    .optional()
    .describe('After SIGTERM, how long new connections are still served while /ready answers 503. Default 0.'),
  drainMs: integer(0, 600_000)
    .optional()
    .describe('Then, how long SIGTERM waits for requests in flight. Default 10000.'),
  requestTimeoutMs: integer(100, 600_000).optional().describe('Deadline of one request, end to end. Default 15000.'),
  ...admissionFields,
  cursorSecret: text(16)
    .optional()
    .describe('Key that seals Relay cursors (at least 16 characters). Default: random per start.'),
  auth: authSchema.optional().describe('Client authentication: API keys and/or a JWT issuer. Absent: off.'),
  limits: limitsSchema.optional().describe('Operation limits, checked before any vendor is called.'),
  metrics: strict({
    enabled: flag().optional().describe('Serve Prometheus metrics at /metrics. Default true.'),
    port: integer(0, 65535)
      .nullable()
      .optional()
      .describe(
        'A port of its own for /metrics (0 picks a free one; then not on the main port). Default: the main port.',
      ),
    operationNames: list(matching(/^[_A-Za-z][_0-9A-Za-z]{0,99}$/, 'must be a GraphQL operation name'))
      .optional()
      .describe('Operation names the metrics may show as a label; others count as "other". Default none.'),
  }).optional(),
  telemetry: strict({
    otlpEndpoint: httpUrl()
      .nullable()
      .optional()
      .describe('OTLP/HTTP endpoint for traces. Default: OTEL_EXPORTER_OTLP_ENDPOINT, else no export.'),
    serviceName: text().optional().describe('service.name of the spans. Default balance-gateway.'),
  }).optional(),
  redis: strict({
    url: matching(/^rediss?:\/\/\S+$/, 'must be a redis:// or rediss:// URL').describe(
      'Redis shared by every replica (quotas, OAuth tokens, breakers); holds vendor tokens, so keep it private.',
    ),
    keyPrefix: text().optional().describe('Prefix of every key the gateway writes. Default balance-gateway:.'),
    replicas: integer(1, 1000)
      .optional()
      .describe('Replicas sharing this Redis: while it is away, each keeps 1/replicas of every rateLimit. Default 1.'),
  })
    .optional()
    .describe('Share quotas, tokens and breaker state between replicas. Absent: all in process.'),
});

/** Checks across the `server` block's fields, on the block as written. */
export function checkServer(raw: unknown, sourceNames: readonly string[], problems: ConfigProblems): void {
  if (typeof raw !== 'object' || raw === null) return;
  const server = raw as Record<string, unknown>;
  const graphiql = server.graphiql === true || server.graphiql === 'true';
  if (graphiql && server.mode === 'production') problems.add('server.graphiql', 'GraphiQL is off in production mode');
  if (server.auth !== undefined) checkAuth(server.auth, sourceNames, problems, 'server.auth');
  checkAdmission(server, problems);
  const metrics = server.metrics as Record<string, unknown> | null | undefined;
  const metricsPort = Number(metrics?.port ?? 0);
  if (metricsPort !== 0 && metricsPort === Number(server.port ?? DEFAULT_SERVER.port))
    problems.add('server.metrics.port', 'must differ from server.port (or leave it out to serve /metrics there)');
}

/** The server settings from a block the schema and `checkServer` passed, the defaults for the rest. */
export function readServer(
  server: z.output<typeof serverSchema> | undefined,
  sourceNames: readonly string[],
  persistedOperations: ReadonlyMap<string, string> | null,
): ServerConfig {
  const mode = server?.mode ?? DEFAULT_SERVER.mode;
  const { metrics, telemetry } = server ?? {};
  return {
    mode,
    host: server?.host ?? DEFAULT_SERVER.host,
    port: server?.port ?? DEFAULT_SERVER.port,
    graphiql: server?.graphiql ?? mode === 'development',
    compiledExecution: server?.compiledExecution ?? DEFAULT_SERVER.compiledExecution,
    corsOrigins: server?.corsOrigins ?? [],
    persistedOperations,
    drainNoticeMs: server?.drainNoticeMs ?? DEFAULT_SERVER.drainNoticeMs,
    drainMs: server?.drainMs ?? DEFAULT_SERVER.drainMs,
    requestTimeoutMs: server?.requestTimeoutMs ?? DEFAULT_SERVER.requestTimeoutMs,
    ...readAdmission(server),
    cursorSecret: server?.cursorSecret ?? null,
    auth: readAuthConfig(server?.auth, sourceNames),
    limits: readLimits(server?.limits),
    metrics: {
      enabled: metrics?.enabled ?? DEFAULT_SERVER.metrics.enabled,
      port: metrics?.port ?? DEFAULT_SERVER.metrics.port,
      operationNames: metrics?.operationNames ?? DEFAULT_SERVER.metrics.operationNames,
    },
    telemetry: {
      otlpEndpoint: telemetry?.otlpEndpoint ?? DEFAULT_SERVER.telemetry.otlpEndpoint,
      serviceName: telemetry?.serviceName ?? DEFAULT_SERVER.telemetry.serviceName,
    },
    redis: server?.redis
      ? {
          url: server.redis.url,
          keyPrefix: server.redis.keyPrefix ?? 'balance-gateway:',
          replicas: server.redis.replicas ?? 1,
        }
      : null,
  };
}
