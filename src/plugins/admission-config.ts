import { integer } from '../config-fields.ts';

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

/** The admission fields of the `server` block's schema, each an integer in its range. */
export const admissionFields = {
  maxConcurrentRequests: integer(1, 100_000)
    .optional()
    .describe('Requests to /graphql in progress at once. Default 32.'),
  maxQueuedRequests: integer(0, 1_000_000)
    .optional()
    .describe('Requests that may wait for a slot; one more is answered 503. Default 128.'),
  queueTimeoutMs: integer(1, 600_000).optional().describe('Longest wait for a slot before a 503. Default 5000.'),
  writeTimeoutMs: integer(1, 600_000)
    .optional()
    .describe('How long writing an answer may make no progress before its connection is closed. Default 30000.'),
};

/** The admission settings the `server` block sets, the defaults for the rest. */
export function readAdmission(server: Partial<AdmissionConfig> | undefined): AdmissionConfig {
  return {
    maxConcurrentRequests: server?.maxConcurrentRequests ?? DEFAULT_ADMISSION.maxConcurrentRequests,
    maxQueuedRequests: server?.maxQueuedRequests ?? DEFAULT_ADMISSION.maxQueuedRequests,
    queueTimeoutMs: server?.queueTimeoutMs ?? DEFAULT_ADMISSION.queueTimeoutMs,
    writeTimeoutMs: server?.writeTimeoutMs ?? DEFAULT_ADMISSION.writeTimeoutMs,
  };
}
