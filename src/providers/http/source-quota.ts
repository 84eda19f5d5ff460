/** `sources[].rateLimit`: the most calls a second the gateway sends one source, and how many may go back to back. */
export interface RateLimitSettings {
  /** Calls a second, every HTTP request counted (retries and token requests too). 1 to 100000. */
  readonly requestsPerSecond: number;
  /** Calls that may go at once after a quiet spell (the bucket's size). 1 to 100000; default 1 (evenly spaced). */
  readonly burst: number;
}

/** A call's place in the source's line: it may go at `at` (epoch ms) unless the vendor throttled the source since. */
export interface QuotaTicket {
  readonly at: number;
  readonly epoch: number;
}

/** What the quota looks like now, for logs, tests and the bench. */
export interface QuotaSnapshot {
  /** The rate calls are let through at now (lowered after a vendor's throttling, recovering since). */
  readonly requestsPerSecond: number;
  /** The most it recovers to: the configured rate, or the vendor's published cap when lower. */
  readonly ceiling: number;
  /** Until when (epoch ms) no call goes, after a vendor said to wait; 0 when never. */
  readonly pausedUntil: number;
  /** Times a vendor throttled the source (each lowering the rate once). */
  readonly throttles: number;
}

/** What a quota tells its owner (the log): the vendor throttled the source, or its rate is whole again. */
export type QuotaEvent =
  | { readonly event: 'throttled'; readonly pauseMs: number; readonly requestsPerSecond: number }
  | { readonly event: 'recovered'; readonly requestsPerSecond: number };

/** A vendor's throttling lowers the rate to at most this fraction of the ceiling, however often it repeats. */
export const FLOOR_FRACTION = 1 / 16;
/** Additive increase: each second with a successful call gives back this fraction of the ceiling. */
export const RECOVERY_FRACTION = 1 / 8;
export const RECOVERY_STEP_MS = 1000;
/** A pause longer than this is not believed (a hostile or broken `Retry-After` must not silence a source for hours). */
export const MAX_PAUSE_MS = 60_000;
/** The pause after a throttling answer that says nothing of when to come back (Blnk's tollbooth sends no Retry-After). */
export const DEFAULT_PAUSE_MS = 1000;

/**
 * One source's budget of vendor calls: a token bucket (rate `requestsPerSecond`, size `burst`)
 * whose calls book their turn in order (`reserve`), so a caller knows at once whether its turn
 * comes before its deadline. It adapts to the vendor (AIMD): a throttling answer pauses every call
 * until the vendor's time, empties the bucket and halves the rate (once per pause); then each
 * second with a successful call adds an eighth of the ceiling back, up to the ceiling.
 *
 * Pure bookkeeping over a clock given to each method: the waiting is rate-limit.ts's. With
 * `server.redis`, turns are booked in a line every replica shares (`SharedQuotaLine`, the same
 * arithmetic in src/shared-state/) and this one keeps the departures and stands in while Redis is away.
 */
export class SourceQuota {
  readonly settings: RateLimitSettings;
  #ceiling: number;
  #rate: number;
  /** Tokens as of `#at` (negative: turns already booked ahead). */
  #tokens: number;
  #at: number;
  /** The same bucket over the calls that really left, as of `#leftAt` (see `depart`). */
  #leftTokens: number;
  #leftAt: number;
  #pausedUntil = 0;
  #lastChange = 0;
  /** Bumped by each throttling: tickets of an earlier epoch must book again. */
  #epoch = 0;
  #throttles = 0;
  readonly #notify: ((event: QuotaEvent) => void) | undefined;

  /** `notify` hears of each pause's first throttling and of the rate's return to its ceiling, once each. */
  constructor(settings: RateLimitSettings, now = Date.now(), notify?: (event: QuotaEvent) => void) {
    this.settings = settings;
    this.#notify = notify;
    this.#ceiling = settings.requestsPerSecond;
    this.#rate = settings.requestsPerSecond;
    this.#tokens = settings.burst;
    this.#at = now;
    this.#leftTokens = settings.burst;
    this.#leftAt = now;
  }

  /** Books the next turn if it comes no later than `latest`; undefined (nothing booked) otherwise. */
  reserve(now: number, latest: number): QuotaTicket | undefined {
    this.#refill(now);
    const start = Math.max(now, this.#at);
    const at = this.#tokens >= 1 ? start : start + ((1 - this.#tokens) * 1000) / this.#rate;
    if (at > latest) return undefined;
    this.#tokens -= 1;
    return { at, epoch: this.#epoch };
  }

  /**
   * A call whose turn came leaves now: 0, and it is counted; or the ms it must still wait. Booked
   * turns are kept by timers, and timers that fire late (a busy event loop) would let the calls of
   * several turns leave at once; this second bucket, over the calls that really left, holds the
   * vendor's view to `burst` plus the rate whatever the timers did.
   */
  depart(now: number): number {
    const from = Math.max(this.#leftAt, now);
    if (now > this.#leftAt) {
      this.#leftTokens = Math.min(this.settings.burst, this.#leftTokens + ((now - this.#leftAt) * this.#rate) / 1000);
      this.#leftAt = now;
    }
    if (this.#leftTokens >= 1 && from <= now) {
      this.#leftTokens -= 1;
      return 0;
    }
    return Math.max(1, from - now + ((1 - Math.max(0, this.#leftTokens)) * 1000) / this.#rate);
  }

  /**
   * Gives back a turn booked but not taken (its call's wait was abandoned: the client left, the
   * operation ended) so later callers are not pushed back by calls that never go. A double booking
   * this may cause is held to the rate by `depart`, which counts the calls that really leave.
   */
  release(ticket: QuotaTicket, now: number): void {
    if (!this.holds(ticket) || ticket.at <= now) return;
    this.#refill(now);
    this.#tokens = Math.min(this.settings.burst, this.#tokens + 1);
  }

  /** Whether a ticket still holds: no throttling came since it was booked. */
  holds(ticket: QuotaTicket): boolean {
    return ticket.epoch === this.#epoch;
  }

  /**
   * The vendor refused a call for its rate (`until`: when its Retry-After or X-RateLimit-Reset says
   * to come back, else DEFAULT_PAUSE_MS from now). The first refusal of a pause halves the rate;
   * the answers to calls already in flight then only extend the pause.
   */
  throttled(now: number, until: number | undefined): void {
    const end = Math.min(now + MAX_PAUSE_MS, Math.max(until ?? now + DEFAULT_PAUSE_MS, now));
    if (now >= this.#pausedUntil) {
      this.#throttles += 1;
      this.#rate = Math.max(this.#ceiling * FLOOR_FRACTION, this.#rate / 2);
      this.#lastChange = now;
      this.#notify?.({ event: 'throttled', pauseMs: end - now, requestsPerSecond: this.#rate });
    }
    this.#pause(Math.max(end, this.#pausedUntil));
  }

  /** The vendor said its budget is spent until `until` (X-RateLimit-Remaining: 0) without refusing: wait, keep the rate. */
  exhaustedUntil(now: number, until: number): void {
    const end = Math.min(now + MAX_PAUSE_MS, until);
    if (end > this.#pausedUntil && end > now) this.#pause(end);
  }

  /** A call went through: a second after the last change, the rate climbs one step back towards the ceiling. */
  succeeded(now: number): void {
    if (this.#rate >= this.#ceiling || now - this.#lastChange < RECOVERY_STEP_MS || now < this.#pausedUntil) return;
    this.#refill(now);
    this.#rate = Math.min(this.#ceiling, this.#rate + this.#ceiling * RECOVERY_FRACTION);
    this.#lastChange = now;
    if (this.#rate === this.#ceiling) this.#notify?.({ event: 'recovered', requestsPerSecond: this.#rate });
  }

  /** The vendor publishes its cap (Vonage's account settings): never go above it. */
  cap(requestsPerSecond: number, now = Date.now()): void {
    if (!(requestsPerSecond > 0) || requestsPerSecond >= this.#ceiling) return;
    this.#refill(now);
    this.#ceiling = requestsPerSecond;
    this.#rate = Math.min(this.#rate, requestsPerSecond);
  }

  snapshot(): QuotaSnapshot {
    return {
      requestsPerSecond: this.#rate,
      ceiling: this.#ceiling,
      pausedUntil: this.#pausedUntil,
      throttles: this.#throttles,
    };
  }

  /** No call before `until`, and none booked before stays good: the line starts again, with an empty bucket, then. */
  #pause(until: number): void {
    this.#pausedUntil = until;
    this.#tokens = 0;
    this.#at = until;
    this.#leftTokens = 0;
    this.#leftAt = until;
    this.#epoch += 1;
  }

  #refill(now: number): void {
    if (now > this.#leftAt) {
      this.#leftTokens = Math.min(this.settings.burst, this.#leftTokens + ((now - this.#leftAt) * this.#rate) / 1000);
      this.#leftAt = now;
    }
    if (now <= this.#at) return;
    this.#tokens = Math.min(this.settings.burst, this.#tokens + ((now - this.#at) * this.#rate) / 1000);
    this.#at = now;
  }
}

/**
 * A source's line of turns kept where every replica books (src/shared-state/shared-quota.ts).
 * Each method's `undefined` means the store could not answer: the caller uses its own SourceQuota.
 */
export interface SharedQuotaLine {
  /**
   * Books the next turn if it comes no later than `latest` (epoch ms): the ticket, or null when it
   * would come later; undefined when the store cannot answer, or at once when `signal` aborts.
   */
  reserve(latest: number, signal?: AbortSignal): Promise<QuotaTicket | null | undefined>;
  /** Whether no replica saw a throttling since the ticket was booked; undefined as for `reserve`. */
  holds(ticket: QuotaTicket, signal?: AbortSignal): Promise<boolean | undefined>;
  /** Gives back a turn this line booked and its caller abandoned (as SourceQuota's `release`); does not wait for the store. */
  release(ticket: QuotaTicket): void;
  /** The line a replica books in while the store cannot answer: its share of the quota (`server.redis.replicas`). */
  whileAway(): SourceQuota;
  /** As SourceQuota's, told to every replica; neither waits for the store. */
  throttled(until: number | undefined): void;
  exhaustedUntil(until: number): void;
  succeeded(): void;
}
