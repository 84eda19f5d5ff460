import type { SimulatorServer } from './server.ts';

/**
 * What every vendor simulator exposes. Simulators are real HTTP servers on 127.0.0.1 that speak a
 * vendor's API subset as its server really does (paths, params, auth, paging, errors, number
 * encodings); the demo, the tests and the benchmarks all run against them.
 */
export interface RecordedRequest {
  readonly method: string;
  /** Path without the query string, as received (still percent-encoded). */
  readonly path: string;
  /** Every query parameter, repeated ones in order. */
  readonly query: Readonly<Record<string, readonly string[]>>;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
  readonly status: number;
}

/** The simulator's data in domain terms, for tests to compare the gateway's answers against. */
export interface SimulatorTruth {
  /** Ledgers in the vendor's list order. */
  ledgers(): ReadonlyArray<{ readonly id: string; readonly name: string }>;
  /** The accounts of a ledger in the vendor's list order (what its accounts list endpoint returns). */
  accounts(ledgerId: string): ReadonlyArray<{ readonly id: string; readonly address: string }>;
  /** Every balance of a ledger in the vendor's balances list order. */
  balances(ledgerId: string): ReadonlyArray<TruthBalance>;
}

export interface TruthBalance {
  readonly accountId: string;
  readonly balanceId: string;
  /** Asset code without a scale suffix. */
  readonly asset: string;
  readonly scale: number;
  /** The book balance in minor units, as an exact integer string. */
  readonly total: string;
}

/**
 * A running simulator: the shared server side (URL, recorded requests, fault switch, close; see
 * server.ts) and the vendor's data in domain terms.
 */
export interface SimulatorHandle extends SimulatorServer {
  readonly truth: SimulatorTruth;
}
