import type { SimulatorQuota, SimulatorReply } from './types.ts';

/**
 * How a vendor refuses a call over its quota, as its server does:
 * - `tollbooth`: Blnk (api/middleware/middleware.go, tollbooth v7.0.2's LimitByRequest): 429 with
 *   `X-Rate-Limit-Limit`, `X-Rate-Limit-Duration: 1`, `RateLimit-Limit`, `RateLimit-Reset: 1` and
 *   `RateLimit-Remaining: 0`, a JSON `{error, error_detail}` body, and no `Retry-After`;
 * - `vault`: Ledger Enterprise's documented `420 Enhance Your Calm` with `Retry-After` and
 *   `X-RateLimit-Limit`/`-Remaining`/`-Reset`, in its `Error` body;
 * - `gateway`: a 429 with `Retry-After` from the API gateway in front (Midaz and Formance have no
 *   limiter of their own; Vonage documents 429 only).
 */
export type QuotaStyle = 'tollbooth' | 'vault' | 'gateway';

export interface QuotaGate {
  /** Switches the quota on (a full bucket, the counts zeroed) or, with null, off (the counts kept). */
  set(quota: SimulatorQuota | null): void;
  /** Calls refused since the quota was last switched on. */
  readonly refused: number;
  /** When each of those arrived (`performance.now()`, ms; the latest 10000). */
  readonly refusedTimes: readonly number[];
  /** The refusal for a call arriving at `now` (epoch ms), or null when the call is within the quota. */
  admit(now: number): SimulatorReply | null;
}

export function createQuotaGate(style: QuotaStyle): QuotaGate {
  let quota: Required<SimulatorQuota> | null = null;
  let tokens = 0;
  let at = 0;
  let refused = 0;
  const refusedTimes: number[] = [];
  return {
    refusedTimes,
    set(next) {
      quota = next === null ? null : { perSecond: next.perSecond, burst: next.burst ?? next.perSecond };
      tokens = quota?.burst ?? 0;
      at = Date.now();
      if (quota === null) return;
      refused = 0;
      refusedTimes.length = 0;
    },
    get refused() {
      return refused;
    },
    admit(now) {
      if (quota === null) return null;
      tokens = Math.min(quota.burst, tokens + ((now - at) * quota.perSecond) / 1000);
      at = now;
      if (tokens >= 1) {
        tokens -= 1;
        return null;
      }
      refused += 1;
      refusedTimes.push(performance.now());
      if (refusedTimes.length > 10_000) refusedTimes.shift();
      const seconds = Math.max(1, Math.ceil((1 - tokens) / quota.perSecond));
      return refusal(style, quota.perSecond, seconds);
    },
  };
}

function refusal(style: QuotaStyle, perSecond: number, seconds: number): SimulatorReply {
  const json = { 'content-type': 'application/json' };
  if (style === 'tollbooth') {
    const message = 'You have reached maximum request limit.';
    return {
      status: 429,
      headers: {
        ...json,
        'x-rate-limit-limit': perSecond.toFixed(2),
        'x-rate-limit-duration': '1',
        'ratelimit-limit': String(Math.round(perSecond)),
        'ratelimit-reset': '1',
        'ratelimit-remaining': '0',
      },
      body: JSON.stringify({ error: message, error_detail: message }),
    };
  }
  if (style === 'vault')
    return {
      status: 420,
      statusText: 'Enhance Your Calm',
      headers: {
        ...json,
        'retry-after': String(seconds),
        'x-ratelimit-limit': String(perSecond),
        'x-ratelimit-remaining': '0',
        'x-ratelimit-reset': String(seconds),
      },
      body: JSON.stringify({ message: 'Rate limit exceeded', name: 'RateLimitError', status_code: 420 }),
    };
  return {
    status: 429,
    headers: { ...json, 'retry-after': String(seconds) },
    body: JSON.stringify({ message: 'Too Many Requests' }),
  };
}
