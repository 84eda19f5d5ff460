/**
 * The rungs of bench/ladder.ts: the unshared list's work (one Blnk list read with `JSON.parse`, its
 * balances as the bench's scenarios ask them) served through more and more of the stack the bare
 * passthrough stands on, so a run shows what each layer adds in CPU per request, tail and memory.
 * They read Blnk as bench/passthrough.ts does, with the same code (bench/blnk-reads.ts).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { amountOf, type Balance, balanceTypeDefs, blnkReads, blnkSourceOf, moneyResolvers } from '../blnk-reads.ts';

/** What every rung does for `ledger(id) { balances(first) }`: the passthrough's vendor call, its rows as balances. */
export interface BlnkList {
  balances(globalLedgerId: string, first: number): Promise<Balance[]>;
}

export function blnkList(sources: ReadonlyArray<Record<string, unknown>>): BlnkList {
  const { idParts, balance, list } = blnkReads(blnkSourceOf(sources, 'ladder'));
  return {
    // As the passthrough's Ledger.balances: one row past the page asked for, then the page.
    balances: async (globalLedgerId, first) =>
      (await list(idParts(globalLedgerId)[2]!, first + 1)).slice(0, first).map(balance),
  };
}

/** The answer the scenario's selection (`asset total { amount minorUnits } available { amount }`) gets, built by hand. */
export function answerOf(balances: readonly Balance[]): unknown {
  const nodes = balances.map((balance) => ({
    asset: balance.asset,
    total: { amount: amountOf(balance.total), minorUnits: balance.total.minorUnits.toString() },
    available: { amount: amountOf(balance.available) },
  }));
  return { data: { ledger: { balances: { nodes } } } };
}

/** The schema the executor rungs run the scenario's operation on. */
export const typeDefs = /* GraphQL */ `
  type Query {
    ledger(id: ID!): Ledger
  }
  type Ledger {
    balances(first: Int!): BalanceList!
  }
  type BalanceList {
    nodes: [Balance!]!
  }
  ${balanceTypeDefs}
`;

export function resolversOf(list: BlnkList) {
  return {
    Query: { ledger: (_: unknown, { id }: { id: string }) => ({ id }) },
    Ledger: {
      balances: async ({ id }: { id: string }, { first }: { first: number }) => ({
        nodes: await list.balances(id, first),
      }),
    },
    Money: moneyResolvers,
  };
}

/**
 * A rung as bench/side-by-side.ts forks it: it receives the demo's `sources` over IPC, builds its
 * server with them, listens on a free loopback port and answers `{ port }`.
 */
export function serveWhenForked(build: (sources: ReadonlyArray<Record<string, unknown>>) => Server): void {
  process.once('message', (sources: Array<Record<string, unknown>>) => {
    const listener = build(sources);
    listener.listen(0, '127.0.0.1', () => process.send?.({ port: (listener.address() as AddressInfo).port }));
    process.on('disconnect', () => {
      listener.close();
      process.exit(0);
    });
  });
}

/**
 * A node:http handler that answers what `answer` returns as JSON with status 200, or a 500 when it
 * throws (a bench rung never leaves a request hanging or a rejection unhandled).
 */
export function jsonHandler(
  answer: (body: any) => Promise<unknown>,
): (request: IncomingMessage, response: ServerResponse) => void {
  return (request, response) => {
    jsonOf(request)
      .then(answer)
      .then(
        (result) => {
          response.writeHead(200, { 'content-type': 'application/json' });
          response.end(JSON.stringify(result));
        },
        (error: unknown) => {
          response.writeHead(500, { 'content-type': 'application/json' });
          response.end(JSON.stringify({ errors: [{ message: String(error) }] }));
        },
      );
  };
}

/** A POST body's JSON, read whole from a Node request. */
export async function jsonOf(request: AsyncIterable<Buffer>): Promise<any> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}
