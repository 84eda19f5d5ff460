/** Rung 1 of bench/ladder.ts: node:http alone, the answer built by hand (no GraphQL at all). */
import { createServer } from 'node:http';
import { answerOf, blnkList, jsonHandler, serveWhenForked } from './blnk.ts';

serveWhenForked((sources) => {
  const list = blnkList(sources);
  return createServer(
    jsonHandler(async ({ variables }) => answerOf(await list.balances(variables.id, Number(variables.first)))),
  );
});
