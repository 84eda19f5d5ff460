/**
 * The HTTP client every connector talks to its vendor through, one concern per file, composed
 * outside in: `share-inflight-gets.ts` (identical GETs in flight made once, by the read key of
 * `read-key.ts` that the read cache shares), `fair-permits.ts` (the
 * calls in flight, granted fairly between operations), `rate-limit.ts` (each call's turn in the
 * source's quota, `source-quota.ts`, which learns from the vendor's throttling),
 * `circuit-breaker.ts` (with `source-transport.ts`, the per-source settings that share it and the
 * quota), `retry-within-deadline.ts` (one deadline over every attempt, jittered backoff,
 * Retry-After), `http-client.ts` (the pool, request building, the operation's end and call budget,
 * the public surface) and `read-capped-body.ts` (decompression, size cap).
 */
export {
  type BreakerSettings,
  type BreakerSnapshot,
  type BreakerState,
  CircuitBreaker,
  DEFAULT_BREAKER,
} from './circuit-breaker.ts';
export {
  HttpClient,
  type HttpClientOptions,
} from './http-client.ts';
export {
  createSourceTransport,
  DEFAULT_TRANSPORT,
  type SourceTransport,
  type TransportSettings,
} from './source-transport.ts';
export { type QuotaSnapshot, type RateLimitSettings, SourceQuota } from './source-quota.ts';
export type { HttpRequest, HttpResponse, JsonResponse, QueryValue } from './types.ts';
