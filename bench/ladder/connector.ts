/**
 * A rung of bench/ladder.ts: node:http with the gateway's own Blnk connector, and no GraphQL. The
 * gateway's whole vendor read runs as it does under an operation: undici, the operation's
 * deadline, fair permits, the breaker, the exact JSON reader, the mapping, the answer checks and
 * the walk guard. Its models become the answer by hand. Between this rung and the gateway lies
 * the GraphQL side alone: yoga, the plugins, execution, the request's context and loaders.
 *
 * The gateway's modules come from the directory given as the first argument
 * (bench/compiled.ts `gatewayModules`), as bench/gateway-child.ts loads them.
 */
import { createServer } from 'node:http';
import { importGatewayModule } from '../gateway-modules.ts';
import { answerOf, jsonHandler, serveWhenForked } from './blnk.ts';

const modules = process.argv[2];
if (!modules) throw new Error('usage: ladder/connector.ts <directory of gateway modules>');
const [
  { parseConfig },
  { createGateway },
  { createLogger },
  { runInRequestScope },
  { operationScope },
  { sequenceOf },
  { decodeGlobalId },
] = await Promise.all(
  ['config', 'gateway', 'logger', 'request-scope', 'plugins/request-scope', 'relay/sequence', 'relay/global-id'].map(
    (name) => importGatewayModule(modules, name),
  ),
);

serveWhenForked((sources) => {
  const config = parseConfig({ server: { cursorSecret: 'bench-cursor-secret-0123456789' }, sources });
  const { connectors } = createGateway(config, { logger: createLogger('silent') }).runtime;
  const { requestTimeoutMs, limits } = config.server;
  return createServer(
    jsonHandler(async ({ variables }) => {
      const [source, ledgerId] = decodeGlobalId(variables.id).parts as [string, string];
      // The scope plugins/request-scope.ts gives an operation, and its deadline.
      const ended = new AbortController();
      const deadline = setTimeout(() => ended.abort(), requestTimeoutMs);
      const scope = operationScope('ladder', ended.signal, {
        requestTimeoutMs,
        maxUpstreamCalls: limits.maxUpstreamCalls,
        maxPagesPerWalk: limits.maxPagesPerWalk,
      });
      try {
        return await runInRequestScope(scope, async () => {
          const list = connectors.get(source).listBalances({ source, ledgerId }, {});
          const slice = await sequenceOf(list).after(null, Number(variables.first));
          return answerOf(slice.edges.map((edge: { node: unknown }) => edge.node));
        });
      } finally {
        clearTimeout(deadline);
        ended.abort();
      }
    }),
  );
});
