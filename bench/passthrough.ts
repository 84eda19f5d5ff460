/**
 * The bare passthrough of issue 14: the least a GraphQL server can do for the bench's three Blnk
 * scenarios, as the gateway's yardstick. A plain graphql-yoga server that makes the same vendor
 * calls to the same Blnk simulator and reads them with plain `JSON.parse`: no loaders, no limits, no
 * deadlines, no retries, no exact money (an amount past 2^53 comes out rounded, which the bench
 * counts). It takes the gateway's global ids, so one set of variables drives both.
 *
 * Forked by bench/side-by-side.ts: it receives the demo's `sources` over IPC, listens on a free
 * loopback port and answers `{ port }`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSchema, createYoga } from 'graphql-yoga';
import { answerAllocationProbe } from './allocation-probe.ts';
import { type BlnkSource, balanceTypeDefs, blnkReads, blnkSourceOf, moneyResolvers, type Row } from './blnk-reads.ts';

const typeDefs = /* GraphQL */ `
  ${balanceTypeDefs}
  type Query {
    ledger(id: ID!): Ledger
    nodes(ids: [ID!]!): [Node]!
  }
  interface Node {
    id: ID!
  }
  type Ledger {
    name: String!
    balances(first: Int!): BalanceList!
    accounts(first: Int!): AccountList!
  }
  type Account implements Node {
    id: ID!
    address: String!
    balances: [Balance!]!
  }
  type BalanceList {
    nodes: [Balance!]!
  }
  type AccountList {
    nodes: [Account!]!
    pageInfo: PageInfo!
  }
  type PageInfo {
    hasNextPage: Boolean!
    endCursor: String
  }
`;

function serve(source: BlnkSource): ReturnType<typeof createServer> {
  const { get, idParts, balance, list } = blnkReads(source);
  const account = (row: Row) => ({ address: row.indicator || row.balance_id, balances: [balance(row)] });

  const yoga = createYoga({
    schema: createSchema({
      typeDefs,
      resolvers: {
        Query: {
          ledger: (_: unknown, { id }: { id: string }) => ({ ledgerId: idParts(id)[2] }),
          // One call per id, as a server without batching makes them.
          nodes: (_: unknown, { ids }: { ids: string[] }) =>
            ids.map(async (id) => account(await get(`/balances/${encodeURIComponent(idParts(id)[3]!)}`))),
        },
        Node: { __resolveType: () => 'Account' },
        Ledger: {
          name: async ({ ledgerId }: { ledgerId: string }) =>
            (await get(`/ledgers/${encodeURIComponent(ledgerId)}`)).name,
          balances: async ({ ledgerId }: { ledgerId: string }, { first }: { first: number }) => ({
            nodes: (await list(ledgerId, first + 1)).slice(0, first).map(balance),
          }),
          accounts: async ({ ledgerId }: { ledgerId: string }, { first }: { first: number }) => {
            const rows = await list(ledgerId, first + 1);
            return {
              nodes: rows.slice(0, first).map(account),
              pageInfo: { hasNextPage: rows.length > first, endCursor: String(Math.min(first, rows.length)) },
            };
          },
        },
        Money: moneyResolvers,
      },
    }),
    logging: false,
    graphiql: false,
    // `unstreamed-body` (bench/ladder.ts): yoga's default body-size limit off. That limit pipes every
    // request body through a TransformStream into a second Request, even one with a Content-Length
    // under the limit; the gateway turns it off and bounds the body itself (src/limits/body-size.ts).
    ...(process.argv.includes('unstreamed-body') && { maxRequestBodySize: false }),
  });
  return createServer(yoga);
}

answerAllocationProbe();
process.once('message', (sources: Array<Record<string, unknown>>) => {
  const listener = serve(blnkSourceOf(sources, 'passthrough'));
  listener.listen(0, '127.0.0.1', () => process.send?.({ port: (listener.address() as AddressInfo).port }));
  process.on('disconnect', () => {
    listener.close();
    process.exit(0);
  });
});
