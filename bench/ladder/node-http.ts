/** Rung 1 of bench/ladder.ts: node:http alone, the answer built by hand (no GraphQL at all). */
import { createServer } from 'node:http';
import { answerOf, blnkList, jsonOf, serveWhenForked } from './blnk.ts';

serveWhenForked((sources) => {
  const list = blnkList(sources);
  return createServer(async (request, response) => {
    const { variables } = await jsonOf(request);
    const body = JSON.stringify(answerOf(await list.balances(variables.id, Number(variables.first))));
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(body);
  });
});
