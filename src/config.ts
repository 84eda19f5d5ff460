import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { ConfigError } from './errors.ts';
import { ConfigFields } from './config-fields.ts';
import { parseAuthConfig, type AuthConfig } from './auth/index.ts';
import { DEFAULT_LIMITS, parseLimits, type OperationLimits } from './limits/index.ts';
import {
  ADMISSION_FIELDS,
  type AdmissionConfig,
  DEFAULT_ADMISSION,
  parseAdmission,
} from './plugins/admission-config.ts';
import { readPersistedOperations } from './plugins/persisted-operations.ts';
import { findProvider, PROVIDER_KINDS, type ProviderKind } from './providers/index.ts';
import type { SourceBase } from './providers/types.ts';
import { DEFAULT_TRANSPORT, type TransportSettings } from './providers/http/index.ts';

/*
 * The configuration file: YAML (JSON is accepted, being YAML), `${NAME}` replaced from the
 * environment, validated in full at start-up. Every problem is one line that names the field
 * (`sources[1].auth.apiKey: required`) and never a value, so no secret reaches a terminal or log.
 */

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
}

/**
 * One configured source: the fields every kind has, and the options its kind's definition read
 * from the rest of the entry (`options` in providers/<vendor>/index.ts says which fields those are).
 */
export interface SourceConfig extends SourceBase {
  readonly kind: ProviderKind;
  /** What the kind's `options` returned; only that kind's `create` reads it. */
  readonly options: unknown;
  /** Retries, response size cap and circuit breaker settings. */
  readonly transport: TransportSettings;
}

export interface GatewayConfig {
  readonly server: ServerConfig;
  /** In the order sources appear in merged connections. */
  readonly sources: readonly SourceConfig[];
}

export const DEFAULT_SERVER: ServerConfig = {
  mode: 'development',
  host: '127.0.0.1',
  port: 4000,
  graphiql: true,
  corsOrigins: [],
  persistedOperations: null,
  drainNoticeMs: 0,
  drainMs: 10_000,
  requestTimeoutMs: 15_000,
  ...DEFAULT_ADMISSION,
  cursorSecret: null,
  auth: null,
  limits: DEFAULT_LIMITS,
};
export const DEFAULT_TIMEOUT_MS = 5000;
const NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** Reads and validates a configuration file. Throws ConfigError with a one-line message. */
export async function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): Promise<GatewayConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new ConfigError(`${path}: cannot read the file`);
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    const line = (error as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    throw new ConfigError(`${path}: not valid YAML or JSON${line ? ` (line ${line})` : ''}`);
  }
  return parseConfig(raw, env);
}

/** Validates an already-parsed configuration value. */
export function parseConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const root = new ConfigFields(interpolate(raw, '', env), '');
  root.only(['server', 'sources']);
  const server = root.optionalObject('server');
  server?.only([
    'mode',
    'host',
    'port',
    'graphiql',
    'corsOrigins',
    'persistedOperations',
    'drainNoticeMs',
    'drainMs',
    'requestTimeoutMs',
    ...ADMISSION_FIELDS,
    'cursorSecret',
    'auth',
    'limits',
  ]);
  const sourceList = root.array('sources');
  if (sourceList.length === 0) throw new ConfigError('sources: list at least one source');
  const limits = parseLimits(server?.optionalObject('limits'));
  const sources = sourceList.map((_, index) => parseSource(root.item('sources', index)));
  const seen = new Set<string>();
  sources.forEach((source, index) => {
    if (seen.has(source.name))
      throw new ConfigError(`sources[${index}].name: "${source.name}" is used by an earlier source`);
    seen.add(source.name);
  });
  const mode = server?.optionalString('mode') ?? DEFAULT_SERVER.mode;
  if (mode !== 'development' && mode !== 'production')
    throw new ConfigError(`${server?.path('mode')}: must be development or production`);
  const graphiql = server?.optionalBoolean('graphiql') ?? mode === 'development';
  if (graphiql && mode === 'production')
    throw new ConfigError(`${server?.path('graphiql')}: GraphiQL is off in production mode`);
  const persisted = server?.optionalString('persistedOperations');
  return {
    server: {
      mode,
      host: server?.optionalString('host') ?? DEFAULT_SERVER.host,
      port: server?.optionalInteger('port', 0, 65535) ?? DEFAULT_SERVER.port,
      graphiql,
      corsOrigins: server ? readOrigins(server) : [],
      persistedOperations:
        persisted === undefined ? null : readPersistedOperations(persisted, server?.path('persistedOperations') ?? ''),
      drainNoticeMs: server?.optionalInteger('drainNoticeMs', 0, 600_000) ?? DEFAULT_SERVER.drainNoticeMs,
      drainMs: server?.optionalInteger('drainMs', 0, 600_000) ?? DEFAULT_SERVER.drainMs,
      requestTimeoutMs: server?.optionalInteger('requestTimeoutMs', 100, 600_000) ?? DEFAULT_SERVER.requestTimeoutMs,
      ...parseAdmission(server),
      cursorSecret: server?.optionalString('cursorSecret', 16) ?? null,
      auth: parseAuthConfig(
        server?.optionalObject('auth'),
        sources.map((source) => source.name),
      ),
      limits,
    },
    sources,
  };
}

function parseSource(fields: ConfigFields): SourceConfig {
  const provider = findProvider(fields.string('kind'));
  if (!provider) throw new ConfigError(`${fields.path('kind')}: must be one of ${PROVIDER_KINDS.join(', ')}`);
  const name = fields.string('name');
  if (!NAME.test(name))
    throw new ConfigError(`${fields.path('name')}: use lowercase letters, digits and single dashes`);
  const base: SourceBase = {
    name,
    url: fields.url('url'),
    timeoutMs: fields.optionalInteger('timeoutMs', 1, 600_000) ?? DEFAULT_TIMEOUT_MS,
  };
  return {
    ...base,
    kind: provider.kind,
    options: provider.options(fields, base),
    transport: parseTransport(fields),
  };
}

/** `server.corsOrigins`: exact origins (`https://app.example.com`), never a wildcard, which would let any site read balances. */
function readOrigins(server: ConfigFields): string[] {
  if (!server.has('corsOrigins')) return [];
  return server.array('corsOrigins').map((value, index) => {
    const field = `${server.path('corsOrigins')}[${index}]`;
    let origin: string | undefined;
    try {
      if (typeof value === 'string') origin = new URL(value).origin;
    } catch {
      origin = undefined;
    }
    if (origin === undefined || origin === 'null' || origin !== value)
      throw new ConfigError(
        `${field}: must be an origin such as https://app.example.com (scheme, host and port only; no wildcard)`,
      );
    return origin;
  });
}

function parseTransport(fields: ConfigFields): TransportSettings {
  const breaker = fields.optionalObject('circuitBreaker');
  breaker?.only(['failureThreshold', 'openMs']);
  // `rateLimit: { requestsPerSecond, burst }`: the source's outbound quota; no field (off) when absent.
  const rateLimit = fields.optionalObject('rateLimit');
  rateLimit?.only(['requestsPerSecond', 'burst']);
  const defaults = DEFAULT_TRANSPORT;
  return {
    retries: fields.optionalInteger('retries', 0, 2) ?? defaults.retries,
    maxResponseBytes: fields.optionalInteger('maxResponseBytes', 1024, 1024 * 1024 * 1024) ?? defaults.maxResponseBytes,
    circuitBreaker: {
      failureThreshold:
        breaker?.optionalInteger('failureThreshold', 1, 1_000_000) ?? defaults.circuitBreaker.failureThreshold,
      openMs: breaker?.optionalInteger('openMs', 100, 3_600_000) ?? defaults.circuitBreaker.openMs,
    },
    ...(rateLimit && {
      rateLimit: {
        requestsPerSecond: rateLimit.integer('requestsPerSecond', 1, 100_000),
        burst: rateLimit.optionalInteger('burst', 1, 100_000) ?? 1,
      },
    }),
  };
}

/** Replaces `${NAME}` in every string with the environment variable; a missing one names the field. */
function interpolate(value: unknown, path: string, env: NodeJS.ProcessEnv): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, variable: string) => {
      const replacement = env[variable];
      if (replacement === undefined)
        throw new ConfigError(`${path || '(root)'}: environment variable ${variable} is not set`);
      return replacement;
    });
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolate(item, `${path}[${index}]`, env));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolate(item, path ? `${path}.${key}` : key, env)]),
    );
  }
  return value;
}
