import { GatewayError, SourceError } from '../../errors.ts';
import type { SendCall } from './types.ts';

/** When a source's breaker opens, and how long it stays open before one probe call is let through. */
export interface BreakerSettings {
  /** Consecutive failed calls (after their retries) that open the breaker. */
  readonly failureThreshold: number;
  /** How long an open breaker refuses calls before it lets one probe through (half-open). */
  readonly openMs: number;
}

export const DEFAULT_BREAKER: BreakerSettings = { failureThreshold: 5, openMs: 30_000 };

export type BreakerState = 'CLOSED' | 'OPEN' | 'HALF_OPEN';

/** Reports a call's outcome; never waits for the other replicas (a failure's shared count is applied when it comes). */
type Report = (outcome: 'success' | 'failure' | 'neutral') => void;

/**
 * The other replicas' side of a breaker (src/shared-state/shared-breakers.ts): told each time this
 * one opens or closes, and asked before a half-open probe whether this replica may send it.
 */
export interface BreakerPeers {
  changed(state: 'OPEN' | 'CLOSED', openForMs: number): void;
  /** True when this replica's probe is the only one in flight; undefined when the peers cannot tell (then it goes). */
  claimProbe(): Promise<boolean | undefined>;
  /**
   * A call failed here: the failures in a row over every replica, this one included, within
   * `windowMs` of each other; undefined when the peers cannot tell (then this replica's own count decides).
   */
  failed(windowMs: number): Promise<number | undefined>;
  /** A call succeeded here: the run of failures ends on every replica. */
  succeeded(): void;
}

/** What `Query.sources { health }` shows. */
export interface BreakerSnapshot {
  readonly state: BreakerState;
  readonly consecutiveFailures: number;
  /** When the breaker last opened (ISO 8601), while it is not closed. */
  readonly openedAt: string | null;
  /** When an open breaker lets its next probe through (ISO 8601). */
  readonly retryAt: string | null;
}

/**
 * One source's circuit breaker. Closed, every call goes through; after `failureThreshold`
 * consecutive failures it opens and calls fail at once with SOURCE_UNAVAILABLE, sparing the
 * vendor and the caller's latency; after `openMs` it half-opens and lets exactly one call through
 * as a probe: success closes it, failure opens it again for another `openMs`.
 *
 * Only failures that say the vendor is unwell count (unreachable, 5xx, timeout, rate limited);
 * a 401 or an unreadable body is the same on every call and is reported as such, not hidden
 * behind an open breaker.
 */
export class CircuitBreaker {
  readonly #source: string;
  readonly #settings: BreakerSettings;
  readonly #now: () => number;
  #state: BreakerState = 'CLOSED';
  #failures = 0;
  #openedAt = 0;
  #probeInFlight = false;
  #peers: BreakerPeers | undefined;
  /** Bumped by each closing and each state taken from a peer: a shared count asked for before is stale. */
  #epoch = 0;

  constructor(source: string, settings: BreakerSettings = DEFAULT_BREAKER, now: () => number = Date.now) {
    this.#source = source;
    this.#settings = settings;
    this.#now = now;
  }

  /**
   * Asks to make one call. Returns the function to report its outcome with, or throws the
   * SOURCE_UNAVAILABLE error of an open breaker without calling the vendor.
   */
  admit(): Report | Promise<Report> {
    if (this.#state === 'OPEN' && this.#now() - this.#openedAt >= this.#settings.openMs) this.#state = 'HALF_OPEN';
    if (this.#state === 'OPEN' || (this.#state === 'HALF_OPEN' && this.#probeInFlight)) throw this.#refusal();
    const probe = this.#state === 'HALF_OPEN';
    if (probe) this.#probeInFlight = true;
    if (probe && this.#peers !== undefined) return this.#claimProbe(this.#peers);
    return this.#reporter(probe);
  }

  /** Shares this breaker with other replicas: their opening and closing come in through `adopt`. */
  link(peers: BreakerPeers): void {
    this.#peers = peers;
  }

  /**
   * Another replica's breaker opened (for `openForMs` from now) or closed. An opening is taken
   * whatever the state here (the vendor is as unwell for this replica); a closing is taken unless
   * this replica's own probe is in flight, whose answer will say.
   */
  adopt(state: 'OPEN' | 'CLOSED', openForMs: number): void {
    this.#epoch += 1;
    if (state === 'OPEN') {
      const openedAt = this.#now() - this.#settings.openMs + Math.max(0, Math.min(openForMs, this.#settings.openMs));
      if (this.#state === 'OPEN' && openedAt <= this.#openedAt) return;
      this.#state = 'OPEN';
      this.#openedAt = openedAt;
      this.#failures = Math.max(this.#failures, this.#settings.failureThreshold);
    } else if (!this.#probeInFlight) {
      this.#state = 'CLOSED';
      this.#failures = 0;
    }
  }

  /** Half-open in several replicas, one probe in all: a replica whose claim is refused refuses its call, as when its own probe is out. */
  async #claimProbe(peers: BreakerPeers): Promise<Report> {
    if ((await peers.claimProbe()) !== false) return this.#reporter(true);
    this.#probeInFlight = false;
    throw this.#refusal();
  }

  #reporter(probe: boolean): Report {
    let reported = false;
    return (outcome) => {
      if (reported) return;
      reported = true;
      if (probe) this.#probeInFlight = false;
      if (outcome === 'success') this.#close(probe);
      else if (outcome === 'failure') this.#fail(probe);
    };
  }

  /** Throws the breaker's refusal while it is open (not yet half-open); a no-op otherwise. */
  refuseWhileOpen(): void {
    if (this.snapshot().state === 'OPEN') throw this.#refusal();
  }

  snapshot(): BreakerSnapshot {
    const open = this.#state !== 'CLOSED';
    const elapsed = this.#now() - this.#openedAt;
    const state = this.#state === 'OPEN' && elapsed >= this.#settings.openMs ? 'HALF_OPEN' : this.#state;
    return {
      state,
      consecutiveFailures: this.#failures,
      openedAt: open ? new Date(this.#openedAt).toISOString() : null,
      retryAt: state === 'OPEN' ? new Date(this.#openedAt + this.#settings.openMs).toISOString() : null,
    };
  }

  /**
   * Only a probe's success closes the other replicas' breakers (a call admitted before a peer's
   * opening says less); any success ends the run of failures they count together.
   */
  #close(probe: boolean): void {
    if (probe) this.#peers?.changed('CLOSED', 0);
    else this.#peers?.succeeded();
    this.#epoch += 1;
    this.#state = 'CLOSED';
    this.#failures = 0;
  }

  /**
   * Shared, the threshold applies to the failures in a row over every replica (BreakerPeers.failed,
   * counted within `openMs` of each other): N replicas open after `failureThreshold` failures in
   * all, not N times as many. The peers unable to tell, this replica's own count decides. The
   * count is applied when it comes, unless the breaker closed (or took a peer's state) meanwhile:
   * a total counted before a success would reopen a breaker that success closed.
   */
  #fail(probe: boolean): void {
    this.#failures += 1;
    if (probe || this.#peers === undefined || this.#state !== 'CLOSED') {
      if (probe || (this.#state === 'CLOSED' && this.#failures >= this.#settings.failureThreshold)) this.#open();
      return;
    }
    const epoch = this.#epoch;
    void this.#peers.failed(this.#settings.openMs).then((total) => {
      if (epoch !== this.#epoch) return;
      if (total !== undefined) this.#failures = total;
      const count = total ?? this.#failures;
      if (this.#state === 'CLOSED' && count >= this.#settings.failureThreshold) this.#open();
    });
  }

  #open(): void {
    this.#state = 'OPEN';
    this.#openedAt = this.#now();
    this.#peers?.changed('OPEN', this.#settings.openMs);
  }

  #refusal(): SourceError {
    const seconds = Math.max(1, Math.ceil((this.#openedAt + this.#settings.openMs - this.#now()) / 1000));
    const waiting =
      this.#state === 'HALF_OPEN'
        ? 'until its probe call answers (circuit half-open)'
        : `for ${seconds} s (circuit open)`;
    return new SourceError(
      'SOURCE_UNAVAILABLE',
      `source "${this.#source}" failed ${this.#failures} calls in a row; the gateway stops calling it ${waiting}`,
      {
        source: this.#source,
        retryable: false,
        extensions: { circuit: this.#state },
      },
    );
  }
}

/**
 * Sends each call through `breaker`: refused at once while it is open, its outcome reported when
 * the call is done, retries included (a call tried three times is one failure, not three).
 */
export function withCircuitBreaker(breaker: CircuitBreaker, send: SendCall): SendCall {
  return async (request, target, permit) => {
    const report = await breaker.admit();
    try {
      const response = await send(request, target, permit);
      report('success');
      return response;
    } catch (error) {
      report(outcomeOf(error));
      throw error;
    }
  };
}

/** The vendor failures that came before a gateway error ended their call (retry-within-deadline.ts). */
const vendorFailuresBehind = new WeakMap<object, SourceError>();

/**
 * Records that the vendor failed `error`'s call (`failure`, its last) before `error`, not the
 * vendor's (the call budget ran out, the operation ended), ended the retries: the breaker counts it.
 */
export function noteVendorFailureBehind(error: Error, failure: SourceError): void {
  vendorFailuresBehind.set(error, failure);
}

/**
 * Only a failure that says the vendor is unwell counts against it (see CircuitBreaker). A gateway
 * error that is not the vendor's (the operation ended, its call budget ran out) says nothing about
 * it, unless the vendor had failed the call before it (a 503, then the budget cut the retry short).
 */
function outcomeOf(error: unknown): 'failure' | 'neutral' {
  const behind = typeof error === 'object' && error !== null ? vendorFailuresBehind.get(error) : undefined;
  if (behind !== undefined) return outcomeOf(behind);
  if (error instanceof GatewayError && !(error instanceof SourceError)) return 'neutral';
  const code = error instanceof SourceError ? error.code : 'SOURCE_UNAVAILABLE';
  return code === 'SOURCE_UNAVAILABLE' || code === 'SOURCE_TIMEOUT' || code === 'SOURCE_RATE_LIMITED'
    ? 'failure'
    : 'neutral';
}
