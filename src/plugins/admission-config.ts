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
 * Measured by `npm run bench` (bench/load.ts) on 2 cores: 16, 32 or 64 slots and queues of 64 to
 * 256 served 1,000 clients at rates within the run-to-run noise and at the same RSS (V8's heap
 * sizing, not the operations in flight, sets it); 64 slots keep slow vendors from idling the CPU,
 * and 256 waiting at the 150 to 350 answers a second measured is a wait of one to two seconds,
 * inside the 5 s bound and the request deadline.
 */
export const DEFAULT_ADMISSION: AdmissionConfig = {
  maxConcurrentRequests: 64,
  maxQueuedRequests: 256,
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
