import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { locatedError, responsePathAsArray, type GraphQLSchema } from 'graphql';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { createYoga, type Plugin, type YogaServerInstance } from 'graphql-yoga';
import { createContext, type GatewayContext, type GatewayRuntime } from './context.ts';
import { GatewayError, SourceError } from './errors.ts';
import type { Logger } from './logger.ts';
import { useOperationLimits, type OperationLimits } from './limits/index.ts';
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

/**
 * Adds the errors of sources a field skipped (a sick source inside a merged list) to the
 * response, each located at its field, while the field's data from healthy sources stays.
 */
export function usePartialErrors(): Plugin<GatewayContext> {
  return {
    onExecute: () => ({
      onExecuteDone({ args, result, setResult }) {
        const { partialErrors } = args.contextValue as GatewayContext;
        if (partialErrors.length === 0 || !('data' in result)) return;
        const errors = partialErrors.map(({ error, info }) => locatedError(error, info.fieldNodes, responsePathAsArray(info.path)));
        setResult({ ...result, errors: [...(result.errors ?? []), ...errors] });
      },
    }),
  };
}

/**
 * One warn line per vendor failure in a response (code, source, message and field path): yoga
 * logs only the errors it masks, and a sick vendor must show in the logs. Messages of gateway
 * errors name the source and status only, never a URL, body or credential.
 */
export function useSourceErrorLog(logger: Logger): Plugin<GatewayContext> {
  return {
    onExecute: () => ({
      onExecuteDone({ result }) {
        if (!('errors' in result) || !result.errors) return;
        for (const error of result.errors) {
          const original = error.originalError;
          if (!(original instanceof GatewayError)) continue;
          const at = error.path?.join('.');
          if (original instanceof SourceError) logger.warn('source failed', { code: original.code, source: original.sourceName, message: original.message, path: at });
          else logger.debug('field error', { code: original.code, source: original.sourceName, path: at });
        }
      },
    }),
  };
}

export interface ServerOptions {
  readonly graphiql: boolean;
  readonly limits: OperationLimits;
  readonly logger: Logger;
}

export type GatewayServer = YogaServerInstance<Record<string, never>, GatewayContext>;

/** The yoga server: GraphQL over HTTP at /graphql (GET and POST), GraphiQL for browsers, /health. */
export function createServer(runtime: GatewayRuntime, options: ServerOptions): GatewayServer {
  return createYoga<Record<string, never>, GatewayContext>({
    schema: createSchema(),
    context: async ({ request }) => createContext(runtime, await runtime.authenticator.authenticate(request)),
    plugins: [useOperationLimits(options.limits), usePartialErrors(), useSourceErrorLog(options.logger)],
    graphiql: options.graphiql
      ? {
          title: 'balance-gateway',
          defaultQuery: DEFAULT_QUERY,
        }
      : false,
    // GraphiQL bundled into the page: yoga's default loads it from a CDN, which an offline or
    // locked-down deployment cannot reach.
    renderGraphiQL,
    landingPage: false,
    logging: options.logger,
    maskedErrors: true,
    healthCheckEndpoint: '/health',
  });
}

const DEFAULT_QUERY = `# Every source, its ledgers, a few accounts and their exact balances.
query FirstLook {
  sources { name kind capabilities }
  ledgers(first: 10) {
    nodes {
      id
      name
      source { name }
      accounts(first: 3) {
        totalCount
        nodes {
          address
          balances { asset total { amount minorUnits scale } }
        }
        pageInfo { hasNextPage endCursor }
      }
    }
  }
}
`;
