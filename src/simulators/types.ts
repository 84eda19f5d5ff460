import type { PagingFault, SimulatorFault } from './faults.ts';

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

/** One request as a simulator's routes see it. */
export interface SimulatorRequest {
  readonly method: string;
  /** Path without the query string, as received (still percent-encoded). */
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
}

/** A simulator's answer: status, headers (content-type included) and the body text. */
export interface SimulatorReply {
  readonly status: number;
  /** Reason phrase when it is not Node's default (Ledger Enterprise's `420 Enhance Your Calm`). */
  readonly statusText?: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body: string;
}

/** A vendor's quota on the gateway's calls: a token bucket, as Blnk's tollbooth keeps one per client (quota.ts). */
export interface SimulatorQuota {
  /** Calls a second the bucket refills by. */
  readonly perSecond: number;
  /** The bucket's size; default `perSecond` (tollbooth's default burst). */
  readonly burst?: number;
}

/** The HTTP side every vendor simulator shares: request recording, latency, fault injection, closing (server.ts). */
export interface SimulatorServer {
  /** `http://127.0.0.1:PORT`. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  /** Requests answered since start or the last `resetRequests()` (recorded with the answer). */
  readonly requestCount: number;
  /**
   * Requests that reached the server since start or the last `resetRequests()`, counted on arrival:
   * also those the client aborted and those still waiting for an answer. Count calls with this.
   */
  readonly arrivals: number;
  /** The paths (no query) of the latest arrivals, in arrival order. */
  readonly arrivedPaths: readonly string[];
  /** When each of those arrived (`performance.now()`, ms), in arrival order. */
  readonly arrivalTimes: readonly number[];
  /** Most requests in progress at once since start or the last `resetRequests()`. */
  readonly peakInFlight: number;
  /** Requests in progress now. */
  readonly inFlight: number;
  resetRequests(): void;
  /**
   * The fault every request meets once this resolves (see faults.ts, and paging-faults.ts for the
   * misbehaving walks of a vendor that pages); null to answer normally
   * again. It resolves when the fault is ready to answer: a gzip bomb is built by then.
   */
  setFault(fault: SimulatorFault | PagingFault | null): Promise<void>;
  readonly fault: SimulatorFault | PagingFault | null;
  /**
   * The vendor's quota on calls from now on (a token bucket; quota.ts), or null for none (the
   * default): a call over it is refused as the vendor's server refuses it (429, or 420 on Ledger
   * Enterprise, with the vendor's headers) and counted in `refused`.
   */
  setQuota(quota: SimulatorQuota | null): void;
  /** Calls refused for the quota since it was last switched on (switching it off keeps the count). */
  readonly refused: number;
  /** When each refused call arrived (`performance.now()`, ms), in order. */
  readonly refusedTimes: readonly number[];
  /** Stops the server; calling it again returns the same promise. */
  close(): Promise<void>;
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

/** A running simulator: the shared server side (URL, recorded requests, fault switch, close) and the vendor's data in domain terms. */
export interface SimulatorHandle extends SimulatorServer {
  readonly truth: SimulatorTruth;
}

/**
 * How demo mode runs one vendor: its simulator, started with the demo's credentials, and the
 * `sources[]` entry that reaches it (demo.ts adds `name`, `kind` and `url`).
 */
export interface VendorDemo {
  start(): Promise<SimulatorHandle>;
  /** The entry's fields after `url` (credentials, scales, …), new objects on every call. */
  source(): Record<string, unknown>;
}
