/**
 * The architecture as rules (`npm test` runs them): data flows one way, client → yoga → resolvers
 * → loaders → connectors → vendor, and the pure pieces stay pure. See README "How the code is laid out".
 * @type {import('dependency-cruiser').IConfiguration}
 */
module.exports = {
  forbidden: [
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
      name: 'relay-and-money-are-pure',
      comment: 'Paging, cursors, global ids and money import nothing of the gateway but each other.',
      severity: 'error',
      from: { path: '^src/(relay/|money\\.ts$)' },
      to: { path: '^src/', pathNot: '^src/(relay/|money\\.ts$)' },
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
