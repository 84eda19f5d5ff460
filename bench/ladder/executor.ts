/**
 * Rungs 3 and 4 of bench/ladder.ts: node:http and an executor, no yoga: graphql-js's `execute`
 * (argument `graphql-js`) or @graphql-tools/executor's `normalizedExecutor` (argument `tools`, what
 * yoga runs). Each document is parsed once per query text.
 */
import { createServer } from 'node:http';
import { normalizedExecutor } from '@graphql-tools/executor';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { type DocumentNode, execute, parse } from 'graphql';
import { blnkList, jsonHandler, resolversOf, serveWhenForked, typeDefs } from './blnk.ts';

const which = process.argv[2];
if (which !== 'graphql-js' && which !== 'tools') throw new Error('usage: executor.ts graphql-js|tools');

serveWhenForked((sources) => {
  const schema = makeExecutableSchema({ typeDefs, resolvers: resolversOf(blnkList(sources)) });
  const documents = new Map<string, DocumentNode>();
  return createServer(
    jsonHandler(async ({ query, variables }) => {
      let document = documents.get(query);
      if (document === undefined) {
        document = parse(query);
        documents.set(query, document);
      }
      const args = { schema, document, variableValues: variables };
      return which === 'tools' ? normalizedExecutor(args) : execute(args);
    }),
  );
});
