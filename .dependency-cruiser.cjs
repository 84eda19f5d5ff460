/**
 * The architecture as rules (`npm test` runs them): data flows one way, client → yoga → resolvers
 * → loaders → connectors → vendor, and the pure pieces stay pure. See README "How the code is laid out".
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
    {
      name: 'lines-go-through-the-logger',
      comment:
        'Only src/logger.ts uses pino: every line passes its describe() and redaction and carries the request scope.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/logger\\.ts$' },
      to: { path: '^node_modules/(pino|pino-pretty)/' },
    },
    {
      name: 'no-circular',
      comment: 'No import cycle anywhere in src/, type-only imports included.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'connectors-know-no-graphql',
      comment:
        'Connectors turn vendor JSON into domain models; they never see GraphQL, resolvers, loaders or the server.',
      severity: 'error',
      from: { path: '^src/providers/' },
      to: {
        path: [
          '^src/(resolvers|loaders|plugins|limits|auth|generated|simulators)/',
          '^src/(server|context|gateway|cli|config)\\.ts$',
          '^node_modules/(graphql|graphql-yoga|@graphql-tools|@graphql-yoga|dataloader)/',
        ],
      },
    },
    {
      name: 'telemetry-knows-no-graphql',
      comment:
        'Metrics and traces are read by the HTTP clients of the connectors: telemetry/ imports no GraphQL, no server part and no connector (the yoga plugin that observes operations lives in plugins/).',
      severity: 'error',
      from: { path: '^src/telemetry/' },
      to: {
        path: [
          '^src/(resolvers|loaders|plugins|limits|auth|generated|simulators|providers)/',
          '^src/(server|context|gateway|cli|config)\\.ts$',
          '^node_modules/(graphql|graphql-yoga|@graphql-tools|@graphql-yoga|dataloader)/',
        ],
      },
    },
    {
      name: 'relay-and-money-are-pure',
      comment: 'Paging, cursors, global ids and money import nothing of the gateway but each other.',
      severity: 'error',
      from: { path: '^src/(relay/|money\\.ts$)' },
      to: { path: '^src/', pathNot: '^src/(relay/|money\\.ts$)' },
    },
    {
      name: 'http-edge-plugins-stand-alone',
      comment:
        'The SDL endpoint, compression and the GraphiQL page work on the HTTP request and answer only: no request scope, resolvers, loaders or connectors, so they never touch a vendor.',
      severity: 'error',
      from: { path: '^src/plugins/(schema-endpoint|compression|graphiql-page)\\.ts$' },
      to: { path: '^src/', pathNot: '^src/plugins/(schema-endpoint|compression|graphiql-page)\\.ts$' },
    },
    {
      name: 'client-scalars-are-data',
      comment: 'The scalar mapping the package exports for codegen imports nothing: a client tool can load it alone.',
      severity: 'error',
      from: { path: '^src/client-scalars\\.ts$' },
      to: { path: '.' },
    },
    {
      name: 'quota-bookkeeping-is-pure',
      comment:
        "A source's quota is bookkeeping over a clock it is given (no timers, no I/O, no scope): a store shared through Redis must be able to replace it.",
      severity: 'error',
      from: { path: '^src/providers/http/source-quota\\.ts$' },
      to: { path: '^(src/|node_modules/)' },
    },
    {
      name: 'read-cache-sits-in-the-client-chain',
      comment:
        "The read cache is one layer of a source's HTTP client: only the client and the source's transport compose it, so no resolver or connector reads cached vendor answers around scoping.",
      severity: 'error',
      from: { pathNot: '^src/providers/http/(http-client|source-transport)\\.ts$' },
      to: { path: '^src/providers/http/read-cache\\.ts$' },
    },
    {
      name: 'connectors-share-through-interfaces',
      comment:
        'Connectors and their HTTP clients see what replicas share only through the interfaces of source-transport.ts and source-quota.ts; src/shared-state/ (Redis) is wired in by gateway.ts.',
      severity: 'error',
      from: { path: '^src/providers/' },
      to: { path: ['^src/shared-state/', '^node_modules/ioredis/'] },
    },
    {
      name: 'redis-connection-stands-alone',
      comment:
        'The Redis connection module is reused by every shared store (quotas, tokens, breakers, the cache): it knows only the logger, and loads ioredis on first use.',
      severity: 'error',
      from: { path: '^src/shared-state/redis\\.ts$' },
      to: { path: '^src/', pathNot: '^src/(logger|load-on-first-use)\\.ts$' },
    },
    {
      name: 'limits-run-before-execution',
      comment: 'Limits are checked before any resolver runs; they may not reach into resolvers, loaders or connectors.',
      severity: 'error',
      from: { path: '^src/limits/' },
      to: { path: '^src/(resolvers|loaders|providers)/' },
    },
    {
      name: 'resolvers-reach-vendors-through-loaders-and-the-connector-interface',
      comment: 'Resolvers never import a vendor folder: vendor wire shapes stay inside their connector.',
      severity: 'error',
      from: { path: '^src/(resolvers|loaders|plugins)/' },
      to: { path: '^src/providers/[^/]+/' },
    },
    {
      name: 'simulators-only-on-the-demo-path',
      comment:
        'The vendor simulators are test and demo fakes: production code never imports them; the CLI loads them with import() in demo and fault modes only.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/(simulators/|cli\\.ts$)' },
      to: { path: '^src/simulators/' },
    },
    {
      name: 'cli-loads-simulators-lazily',
      comment: 'The CLI may reach the simulators, by import() only (its demo mode, and the fault names of --help).',
      severity: 'error',
      from: { path: '^src/cli\\.ts$' },
      to: { path: '^src/simulators/', dependencyTypesNot: ['dynamic-import'] },
    },
    {
      name: 'call-pricing-reads-connector-facts-only',
      comment:
        "What a read costs at a source (retries, tokens, walks) is a fact its connector states in its facts.ts; the cost estimate's pricing never reaches into a connector's workings.",
      severity: 'error',
      from: { path: '^src/providers/call-pricing\\.ts$' },
      to: { path: '^src/providers/[^/]+/', pathNot: '^src/providers/[^/]+/facts\\.ts$' },
    },
    {
      name: 'config-fields-stand-alone',
      comment:
        "config-fields.ts holds the building blocks of every section's schema and each vendor's options: it imports nothing of the gateway but money.ts, so a vendor folder reaches nothing else through it.",
      severity: 'error',
      from: { path: '^src/config-fields\\.ts$' },
      to: { path: '^src/', pathNot: '^src/money\\.ts$' },
    },
    {
      name: 'config-reads-no-request-path',
      comment: 'Reading the configuration builds no server, resolver or loader: it checks a file and returns settings.',
      severity: 'error',
      from: { path: '^src/(config\\.ts$|config/)' },
      to: { path: '^src/(resolvers/|loaders/|server\\.ts$|gateway\\.ts$|context\\.ts$)' },
    },
    {
      name: 'no-orphans',
      comment: 'A file nothing imports is dead code (entry points excepted).',
      severity: 'error',
      from: { orphan: true, path: '^src/', pathNot: ['^src/(cli|index)\\.ts$', '^src/generated/'] },
      to: {},
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^src/generated/' },
  },
};
