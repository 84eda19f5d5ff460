import type { ConfigFields } from '../config-fields.ts';

/** The `server` settings of admission control (README, "Configuration"). */
export interface AdmissionConfig {
  /** GraphQL requests in progress at once; more wait in a queue. */
  readonly maxConcurrentRequests: number;
  /** Requests that may wait for a slot; one more is answered 503 at once. */
  readonly maxQueuedRequests: number;
  /** Longest wait for a slot before a queued request is answered 503. */
  readonly queueTimeoutMs: number;
  /** Once an answer is ready, the longest stretch without writing progress before its connection is closed. */
  readonly writeTimeoutMs: number;
}

/**
 * Measured by `npm run bench` (bench/load.ts, 1,000 clients, 2 cores, simulated vendors): 32 slots
 * and 128 waiting gave the lowest p99 (1.2 to 1.7 s against 5.7 to 6.5 s with 64 and 256, and 2.4
 * to 2.6 s with 64 and 128), the fastest /health and as many answers a second; the RSS is the same
 * for all (V8's heap sizing sets it, not the operations in flight). With slow vendors an operation
 * holds its slot while it waits on them: raise maxConcurrentRequests there.
 */
export const DEFAULT_ADMISSION: AdmissionConfig = {
  maxConcurrentRequests: 32,
  maxQueuedRequests: 128,
  queueTimeoutMs: 5000,
  writeTimeoutMs: 30_000,
};

export const ADMISSION_FIELDS = Object.keys(DEFAULT_ADMISSION) as ReadonlyArray<keyof AdmissionConfig>;

/** Reads the admission settings of the `server` block, each failure naming its field. */
export function parseAdmission(server: ConfigFields | undefined): AdmissionConfig {
  const read = (field: keyof AdmissionConfig, min: number, max: number) =>
    server?.optionalInteger(field, min, max) ?? DEFAULT_ADMISSION[field];
  return {
    maxConcurrentRequests: read('maxConcurrentRequests', 1, 100_000),
    maxQueuedRequests: read('maxQueuedRequests', 0, 1_000_000),
    queueTimeoutMs: read('queueTimeoutMs', 1, 600_000),
    writeTimeoutMs: read('writeTimeoutMs', 1, 600_000),
  };
}
