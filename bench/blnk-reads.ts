/**
 * How the bench's bare servers read Blnk (the passthrough, bench/passthrough.ts, and the rungs of
 * bench/ladder.ts): one undici pool, plain `JSON.parse` (an amount past 2^53 comes out rounded,
 * which the bench counts), the gateway's global ids, and the `Balance` and `Money` types they
 * answer with. One piece of code, so every rung below the passthrough does exactly its vendor work.
 */
import { formatDecimal } from '../src/money.ts';
import { Pool } from 'undici';

export interface BlnkSource {
  kind: 'blnk';
  url: string;
  auth: { apiKey: string };
  currencyScales: Record<string, number>;
}
export type Row = Record<string, any>;
export interface Money {
  readonly minorUnits: bigint;
  readonly scale: number;
}
export interface Balance {
  readonly asset: string;
  readonly total: Money;
  readonly available: Money;
}

/** The Blnk source among the demo's `sources`; `who` names the server in the error when there is none. */
export function blnkSourceOf(sources: ReadonlyArray<Record<string, unknown>>, who: string): BlnkSource {
  const blnk = sources.find((source) => source.kind === 'blnk') as BlnkSource | undefined;
  if (!blnk) throw new Error(`${who}: the sources hold no Blnk server`);
  return blnk;
}

export function blnkReads(source: BlnkSource) {
  const pool = new Pool(source.url, { connections: 16 });
  const get = async (path: string): Promise<any> => {
    const response = await pool.request({ method: 'GET', path, headers: { 'x-blnk-key': source.auth.apiKey } });
    if (response.statusCode !== 200) {
      await response.body.dump();
      throw new Error(`Blnk answered ${response.statusCode}`);
    }
    return response.body.json();
  };
  const money = (minor: number, currency: string): Money => ({
    minorUnits: BigInt(minor),
    scale: source.currencyScales[currency] ?? 0,
  });
  return {
    get,
    // The gateway's global ids: base64url of the JSON array [type, source, ledgerId, accountId?].
    idParts: (id: string): string[] => JSON.parse(Buffer.from(id, 'base64url').toString('utf8')),
    balance: (row: Row): Balance => ({
      asset: row.currency,
      total: money(row.balance, row.currency),
      available: money(row.balance - row.inflight_debit_balance, row.currency),
    }),
    list: (ledgerId: string, limit: number) =>
      get(`/balances?ledger_id_eq=${encodeURIComponent(ledgerId)}&limit=${limit}&offset=0`) as Promise<Row[]>,
  };
}

/** A Money's amount in asset units. */
export const amountOf = (money: Money) => formatDecimal(money.minorUnits, money.scale);

/** The `Balance` and `Money` types every bare server answers with, and Money's resolvers. */
export const balanceTypeDefs = /* GraphQL */ `
  type Balance {
    asset: String!
    total: Money!
    available: Money!
  }
  type Money {
    amount: String!
    minorUnits: String!
    scale: Int!
  }
`;
export const moneyResolvers = {
  amount: amountOf,
  minorUnits: (money: Money) => money.minorUnits.toString(),
};
