import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import type { GraphQLSchema } from 'graphql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { createContext, type GatewayContext, type GatewayRuntime } from './context.ts';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';
import type { ServerConfig } from './config.ts';
import type { Logger } from './logger.ts';
import { type CallPricing, useOperationLimits } from './limits/index.ts';
import { useAccessLog } from './plugins/access-log.ts';
import { createAdmission } from './plugins/admission.ts';
import { createAuthentication } from './plugins/authentication.ts';
import { CSRF_HEADERS, useCsrfPrevention } from './plugins/csrf.ts';
import { useErrorCodes } from './plugins/error-codes.ts';
import { useCacheFreshness } from './plugins/cache-freshness.ts';
import { useCompiledExecution } from './plugins/compiled-execution.ts';
import { useCompression } from './plugins/compression.ts';
import { createGraphiQLRenderer } from './plugins/graphiql-page.ts';
import { usePartialErrors } from './plugins/partial-errors.ts';
import { usePersistedOperationsOnly } from './plugins/persisted-operations.ts';
import { useNoSuggestions } from './plugins/production.ts';
import { useReadiness, type Readiness } from './plugins/readiness.ts';
import { useRequestScope } from './plugins/request-scope.ts';
import { useSchemaEndpoint } from './plugins/schema-endpoint.ts';
import { useSourceErrorLog } from './plugins/source-error-log.ts';
import { needsObservedOperations, useObservedOperations } from './plugins/observe-operations.ts';
import type { Telemetry } from './telemetry/index.ts';
import { resolvers } from './resolvers/index.ts';

const schemaDirectory = join(import.meta.dirname, '..', 'schema');

/** The SDL in schema/ joined with the resolvers; resolvers that do not match the schema are an error. */
export function createSchema(): GraphQLSchema {
  const typeDefs = readdirSync(schemaDirectory)
    .filter((file) => file.endsWith('.graphql'))
    .sort()
    .map((file) => readFileSync(join(schemaDirectory, file), 'utf8'));
  return makeExecutableSchema<GatewayContext>({
    typeDefs,
    resolvers: resolvers as never,
    resolverValidationOptions: { requireResolversToMatchSchema: 'error', requireResolversForResolveType: 'error' },
  });
}

export interface ServerOptions {
  /** The `server` block of the configuration. */
  readonly config: ServerConfig;
  readonly logger: Logger;
  /** Flipped to draining on shutdown; `/ready` reports it. */
  readonly readiness: Readiness;
  /** What a vendor read costs at the configured sources, for the cost estimate (absent: the worst). */
  readonly pricing?: CallPricing;
  /** Metrics and traces of operations; absent or observing nothing: no hook at all. */
  readonly telemetry?: Telemetry;
}

export type GatewayServer = YogaServerInstance<Record<string, never>, GatewayContext>;

/** Browser-visible headers a cross-origin page may send and read (when its origin is allowed). */
const CORS_REQUEST_HEADERS = ['content-type', 'accept', 'x-request-id', 'cache-control', ...CSRF_HEADERS];

/**
 * The yoga server: GraphQL over HTTP at /graphql (GET and POST), GraphiQL for browsers in
 * development mode, /health (liveness) and /ready (readiness). Plugin order matters: the request
 * scope wraps everything, limits and CSRF refuse a request before it is parsed or executed, and
 * authentication runs before the document is parsed or validated (plugins/authentication.ts), so
 * nothing reaches graphql-js, a resolver or a vendor for a caller without valid credentials.
 */
export function createServer(runtime: GatewayRuntime, options: ServerOptions): GatewayServer {
  const { config } = options;
  const production = config.mode === 'production';
  const authentication = createAuthentication(runtime.authenticator);
  // Before anything reads the request: a refused one costs no parse, no authentication.
  const admission = createAdmission(config, options.logger);
  options.telemetry?.metrics?.watchAdmission(admission.reading);
  const schema = createSchema();
  const plugins: Array<Plugin<GatewayContext> | Plugin> = [
    // Its onResponse runs first of these plugins' and swaps in the compressed answer; the headers
    // later ones set (x-request-id) go onto that answer.
    useCompression({ thresholdBytes: 1024 }),
    useRequestScope({
      requestTimeoutMs: config.requestTimeoutMs,
      maxUpstreamCalls: config.limits.maxUpstreamCalls,
      maxPagesPerWalk: config.limits.maxPagesPerWalk,
    }),
    useAccessLog(options.logger),
    // Around admission: a shed request is counted, and the queue wait is part of an operation's time.
    ...(needsObservedOperations(options.telemetry)
      ? [
          useObservedOperations({
            telemetry: options.telemetry,
            serveMetrics: config.metrics.port === null,
            operationNames: config.metrics.operationNames,
            persistedOperations: config.persistedOperations?.values() ?? [],
          }),
        ]
      : []),
    useSchemaEndpoint(schema),
    admission.plugin,
    useReadiness(options.readiness),
    useCsrfPrevention(),
    useOperationLimits(config.limits, options.pricing),
    authentication.plugin,
    ...(config.persistedOperations ? [usePersistedOperationsOnly(config.persistedOperations)] : []),
    // The plugin's context type demands an index signature GatewayContext does not have; it reads no context.
    ...(production ? [useDisableIntrospection() as unknown as Plugin, useNoSuggestions()] : []),
    usePartialErrors(),
    useCacheFreshness(),
    useSourceErrorLog(options.logger),
    useErrorCodes(),
    // Last: its execute function replaces the interpreter's for the queries it compiled.
    ...(config.compiledExecution ? [useCompiledExecution()] : []),
  ];
  const allowed = new Set(config.corsOrigins);
  return createYoga<Record<string, never>, GatewayContext>({
    schema,
    context: async ({ request }) => createContext(runtime, await authentication.principalOf(request)),
    plugins,
    // limits.maxBodyBytes (limits/body-size.ts) caps every body already; yoga's own 25 MB cap would
    // pipe each request body through a second stream, and build a DOMException, per request.
    maxRequestBodySize: false,
    // An allow-list, never a reflected origin: yoga's default echoes any Origin with credentials.
    cors: (request) => {
      const origin = request.headers.get('origin');
      if (origin === null || !allowed.has(origin)) return false;
      return {
        origin: [origin],
        credentials: false,
        methods: ['GET', 'POST'],
        allowedHeaders: CORS_REQUEST_HEADERS,
        exposedHeaders: ['x-request-id', 'www-authenticate', 'retry-after'],
        maxAge: 600,
      };
    },
    // Default tabs (paging, node(id), history) and the History pane: plugins/graphiql-page.ts.
    graphiql: config.graphiql ? admission.graphiql({ title: 'balance-gateway' }) : false,
    // GraphiQL bundled into the page: yoga's default loads it from a CDN, which an offline or
    // locked-down deployment cannot reach.
    renderGraphiQL: createGraphiQLRenderer(),
    landingPage: false,
    logging: options.logger,
    // Never yoga's development masking (it reads NODE_ENV and would add the original message and stack).
    maskedErrors: { isDev: false },
    healthCheckEndpoint: '/health',
  });
}

/** GraphiQL's first tab; `npm run bench` loads the gateway with it. */
export { DEFAULT_QUERY } from './plugins/graphiql-page.ts';
