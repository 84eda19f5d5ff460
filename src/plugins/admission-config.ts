import type { ConfigProblems } from '../config/problems.ts';
import { integer } from '../config-fields.ts';

/** The `server` settings of admission control (README, "Configuration"). */
export interface AdmissionConfig {
  /** GraphQL requests in progress at once; more wait in a queue. */
  readonly maxConcurrentRequests: number;
  /** GraphQL requests in progress at once while shedding load (see AdmissionGate); at most maxConcurrentRequests. */
  readonly sheddingConcurrentRequests: number;
  /** Requests that may wait for a slot; one more is answered 503 at once. */
  readonly maxQueuedRequests: number;
  /** Longest wait for a slot before a queued request is answered 503. */
  readonly queueTimeoutMs: number;
  /** Once an answer is ready, the longest stretch without writing progress before its connection is closed. */
  readonly writeTimeoutMs: number;
}

/**
 * Measured by `npm run bench`. Under overload (bench/load.ts, 1,000 clients, 2 cores, simulated
 * vendors) 32 slots and 128 waiting gave the lowest p99 (1.2 to 1.7 s against 5.7 to 6.5 s with 64
 * and 256, and 2.4 to 2.6 s with 64 and 128) and the fastest /health. Below overload 64 slots
 * (with 32 while shedding, which keeps the overload figures of 32) narrowed the tail at 50
 * connections where V8's old generation had room, but widened it and cost the by-id case a third of
 * its answers under a 512 MiB limit, where more requests in flight promote more to a crowded old
 * generation (bench/PASSES.md, "Fifteenth pass"). So both stay 32 by default. With slow vendors an
 * operation holds its slot while it waits on them: raise maxConcurrentRequests there, and
 * sheddingConcurrentRequests with it if the vendors, not the gateway, are what limits.
 */
export const DEFAULT_ADMISSION: AdmissionConfig = {
  maxConcurrentRequests: 32,
  sheddingConcurrentRequests: 32,
  maxQueuedRequests: 128,
  queueTimeoutMs: 5000,
  writeTimeoutMs: 30_000,
};

/** The admission fields of the `server` block's schema, each an integer in its range. */
export const admissionFields = {
  maxConcurrentRequests: integer(1, 100_000)
    .optional()
    .describe('Requests to /graphql in progress at once. Default 32.'),
  sheddingConcurrentRequests: integer(1, 100_000)
    .optional()
    .describe(
      'Requests to /graphql in progress at once while shedding load: from a 503 until the queue is empty and queueTimeoutMs has passed without one. At most maxConcurrentRequests, and lowered to it. Default 32.',
    ),
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
  const maxConcurrentRequests = server?.maxConcurrentRequests ?? DEFAULT_ADMISSION.maxConcurrentRequests;
  return {
    maxConcurrentRequests,
    // A lower maxConcurrentRequests alone lowers this with it (checkAdmission refuses a larger one set beside it).
    sheddingConcurrentRequests: Math.min(
      server?.sheddingConcurrentRequests ?? DEFAULT_ADMISSION.sheddingConcurrentRequests,
      maxConcurrentRequests,
    ),
    maxQueuedRequests: server?.maxQueuedRequests ?? DEFAULT_ADMISSION.maxQueuedRequests,
    queueTimeoutMs: server?.queueTimeoutMs ?? DEFAULT_ADMISSION.queueTimeoutMs,
    writeTimeoutMs: server?.writeTimeoutMs ?? DEFAULT_ADMISSION.writeTimeoutMs,
  };
}

/** Checks across the admission fields, on the `server` block as written. */
export function checkAdmission(server: Record<string, unknown>, problems: ConfigProblems): void {
  const { maxConcurrentRequests: most, sheddingConcurrentRequests: shedding } = server;
  if (most !== undefined && shedding !== undefined && Number(shedding) > Number(most))
    problems.add('server.sheddingConcurrentRequests', 'must be at most server.maxConcurrentRequests');
}
