/** Rung 2 of bench/ladder.ts: rung 1 behind @whatwg-node/server's Node adapter (what yoga serves through). */
import { createServer } from 'node:http';
import { createServerAdapter, Response } from '@whatwg-node/server';
import { answerOf, blnkList, serveWhenForked } from './blnk.ts';

serveWhenForked((sources) => {
  const list = blnkList(sources);
  const adapter = createServerAdapter(async (request: Request) => {
    const { variables } = (await request.json()) as { variables: { id: string; first: number } };
    return Response.json(answerOf(await list.balances(variables.id, Number(variables.first))));
  });
  return createServer(adapter);
});
