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

/**
 * Vendors whose paging misbehaves, switchable on any simulator whose API pages (`setFault`), for
 * `test/faults-paging.test.ts`. Each turns the simulator's own list answers into a misbehaving walk:
 * - `paging-stuck`: a next cursor that never advances (cursor lists);
 * - `paging-repeat`: every page repeats the one before it (cursor lists: under a new cursor each
 *   time; offset lists: the range one page earlier);
 * - `paging-ignore-offset`: every offset answers the first page (offset lists);
 * - `paging-empty`: after the first page, empty pages that claim more, without end (cursor lists;
 *   an offset list has no way to claim more with an empty page);
 * - `paging-long`: a very long list (a million items): past the real end, full pages of items
 *   copied from the first page under new ids.
 * A list answer the fault does not apply to, and every other answer, is the simulator's own
 * (paging-faults.ts). Vonage's API does not page, so they change nothing there.
 */
export const PAGING_FAULTS = [
  'paging-stuck',
  'paging-repeat',
  'paging-ignore-offset',
  'paging-empty',
  'paging-long',
] as const;

export type PagingFault = (typeof PAGING_FAULTS)[number];

export function isPagingFault(fault: unknown): fault is PagingFault {
  return (PAGING_FAULTS as readonly unknown[]).includes(fault);
}
