/**
 * The ways a vendor fails in production, each switchable on any simulator (`setFault`), for the
 * fault suite and for trying the gateway by hand:
 * - `refuse`: every connection is closed as soon as it opens (a reset before any byte);
 * - `hang`: the request is read and never answered;
 * - `drip`: a 200 whose body arrives one byte every 100 ms;
 * - `reset`: a 200 cut off halfway through the body by a TCP reset;
 * - `html-error`: a load balancer's 502 HTML page;
 * - `stack-trace`: a 500 whose body is a crash dump quoting an internal URL and password;
 * - `rate-limited`: 429 (420 on Ledger Enterprise) with `Retry-After: 1`;
 * - `unauthorized`: 401, as for revoked credentials;
 * - `truncated`: a complete HTTP 200 whose JSON stops halfway;
 * - `not-json`: a 200 maintenance page in HTML;
 * - `wrong-shape`: a 200 of valid JSON that is not what the endpoint returns;
 * - `bad-amounts`: the real body with every number, and every string of digits, replaced by a malformed amount;
 * - `oversize`: a 200 of 17 MiB, sent chunked (no content-length to check up front);
 * - `gzip-bomb`: 64 KiB of gzip that inflates to 64 MiB;
 * - `redirect`: a 302 to another host;
 * - `flapping`: alternates every 400 ms between answering normally and a 503.
 */
export const SIMULATOR_FAULTS = [
  'refuse',
  'hang',
  'drip',
  'reset',
  'html-error',
  'stack-trace',
  'rate-limited',
  'unauthorized',
  'truncated',
  'not-json',
  'wrong-shape',
  'bad-amounts',
  'oversize',
  'gzip-bomb',
  'redirect',
  'flapping',
] as const;

export type SimulatorFault = (typeof SIMULATOR_FAULTS)[number];

/** Secrets planted in the `stack-trace` body: the gateway must never repeat them. */
export const PLANTED_SECRETS = [
  's3cr3t-db-password',
  'postgres://ledger:s3cr3t-db-password@10.0.0.5:5432/ledger',
  'goroutine 1 [running]',
] as const;
