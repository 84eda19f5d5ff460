/**
 * Rung 5 of bench/ladder.ts: the whatwg-node adapter with envelop's core (useEngine over
 * @graphql-tools/executor, useSchema): what yoga is built from, without yoga's own server layer
 * (its request parsing, result processing and built-in plugins). Each document is parsed and
 * validated once per query text.
 */
import { createServer } from 'node:http';
import { envelop, useEngine, useSchema } from '@envelop/core';
import { normalizedExecutor } from '@graphql-tools/executor';
import { makeExecutableSchema } from '@graphql-tools/schema';
import { createServerAdapter, Response } from '@whatwg-node/server';
import { type DocumentNode, parse, specifiedRules, validate } from 'graphql';
import { blnkList, resolversOf, serveWhenForked, typeDefs } from './blnk.ts';

serveWhenForked((sources) => {
  const schema = makeExecutableSchema({ typeDefs, resolvers: resolversOf(blnkList(sources)) });
  const getEnveloped = envelop({
    plugins: [useEngine({ parse, validate, specifiedRules, execute: normalizedExecutor }), useSchema(schema)],
  });
  const documents = new Map<string, DocumentNode>();
  const adapter = createServerAdapter(async (request: Request) => {
    const { query, variables } = (await request.json()) as { query: string; variables: Record<string, unknown> };
    const run = getEnveloped({ request });
    let document = documents.get(query);
    if (document === undefined) {
      const parsed: DocumentNode = run.parse(query);
      const errors = run.validate(run.schema, parsed);
      if (errors.length > 0) return Response.json({ errors }, { status: 400 });
      documents.set(query, parsed);
      document = parsed;
    }
    const contextValue = await run.contextFactory();
    const result = await run.execute({ schema: run.schema, document, variableValues: variables, contextValue });
    return Response.json(result);
  });
  return createServer(adapter);
});
