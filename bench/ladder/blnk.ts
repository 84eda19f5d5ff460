/**
 * The rungs of bench/ladder.ts: the unshared list's work (one Blnk list read with `JSON.parse`, its
 * balances as the bench's scenarios ask them) served through more and more of the stack the bare
 * passthrough stands on, so a run shows what each layer adds in CPU per request, tail and memory.
 * Like bench/passthrough.ts these take the gateway's global ids and read amounts with plain
 * `JSON.parse` (amounts past 2^53 come out rounded; the bench counts them).
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { formatDecimal } from '../../src/money.ts';

type Row = Record<string, any>;
interface Money {
  readonly minorUnits: bigint;
  readonly scale: number;
}
export interface Balance {
  readonly asset: string;
  readonly total: Money;
  readonly available: Money;
}

/** What every rung does for `ledger(id) { balances(first) }`: one vendor call, its rows as balances. */
export interface BlnkList {
  balances(globalLedgerId: string, first: number): Promise<Balance[]>;
}

export function blnkList(sources: ReadonlyArray<Record<string, any>>): BlnkList {
  const source = sources.find((each) => each.kind === 'blnk');
  if (!source) throw new Error('ladder: the sources hold no Blnk server');
  const pool = new Pool(source.url, { connections: 16 });
  const money = (minor: number, currency: string): Money => ({
    minorUnits: BigInt(minor),
    scale: source.currencyScales[currency] ?? 0,
  });
  return {
    async balances(globalLedgerId, first) {
      // The gateway's global ids: base64url of the JSON array [type, source, ledgerId].
      const ledgerId = JSON.parse(Buffer.from(globalLedgerId, 'base64url').toString('utf8'))[2] as string;
      const response = await pool.request({
        method: 'GET',
        path: `/balances?ledger_id_eq=${encodeURIComponent(ledgerId)}&limit=${first + 1}&offset=0`,
        headers: { 'x-blnk-key': source.auth.apiKey },
      });
      const rows = (await response.body.json()) as Row[];
      return rows.slice(0, first).map((row) => ({
        asset: row.currency,
        total: money(row.balance, row.currency),
        available: money(row.balance - row.inflight_debit_balance, row.currency),
      }));
    },
  };
}

const amountOf = (money: Money) => formatDecimal(money.minorUnits, money.scale);

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
  type Balance {
    asset: String!
    total: Money!
    available: Money!
  }
  type Money {
    amount: String!
    minorUnits: String!
  }
`;

export function resolversOf(list: BlnkList) {
  return {
    Query: { ledger: (_: unknown, { id }: { id: string }) => ({ id }) },
    Ledger: {
      balances: async ({ id }: { id: string }, { first }: { first: number }) => ({
        nodes: await list.balances(id, first),
      }),
    },
    Money: {
      amount: amountOf,
      minorUnits: (money: Money) => money.minorUnits.toString(),
    },
  };
}

/**
 * A rung as bench/side-by-side.ts forks it: it receives the demo's `sources` over IPC, builds its
 * server with them, listens on a free loopback port and answers `{ port }`.
 */
export function serveWhenForked(build: (sources: ReadonlyArray<Record<string, any>>) => Server): void {
  process.once('message', (sources: Array<Record<string, any>>) => {
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
