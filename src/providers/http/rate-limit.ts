import { QuotaWaitError } from '../../errors.ts';
import { operationEndedError } from '../../operation-end.ts';
import { currentScope, type Operation } from '../../request-scope.ts';
import type { QuotaTicket, SharedQuotaLine, SourceQuota } from './source-quota.ts';
import type { SourceTransport } from './source-transport.ts';
import type { Attempt, HeldPermit, HttpResponse, SendCall } from './types.ts';

/** A source's quota (SourceTransport's `quota`), and its line shared by replicas (`sharedQuota`), when on. */
type QuotaLines = Pick<SourceTransport, 'quota' | 'sharedQuota'> & Partial<Pick<SourceTransport, 'breaker'>>;

/**
 * Every call of a source waits for its turn in the source's quota (source-quota.ts) before it goes
 * out, and again before each retry (the retry's pause is followed by a turn, through the permit
 * the retry lends out: `HeldPermit.lendDuring`). It sits inside the fair permits, so the calls
 * that wait for a turn are the ones the permits chose fairly between operations, and outside the
 * circuit breaker, whose clock (and the call's deadline) starts only once the call may go.
 *
 * The wait counts against the operation's deadline (`Operation.deadlineAt`; a call of shared work
 * against the latest deadline of the operations waiting for it; outside any operation the call's
 * `waitLimitMs`). A turn that would come after it is not waited for: the call fails at once with
 * QuotaWaitError (SOURCE_RATE_LIMITED), which never counts against the breaker, for the vendor was
 * not asked. The operation's end stops the wait at once with its OPERATION_* error.
 *
 * With `shared` (server.redis), turns are booked in the line every replica shares; a booking or a
 * check Redis cannot answer (down, or slower than its command deadline or half the time the
 * operation has left: shared-quota.ts) is made in `quota` instead. An abandoned wait gives its
 * turn back to the line it was booked in; a caller that leaves while Redis is asked stops waiting at once.
 */
export function withRateLimit(source: string, lines: QuotaLines, send: SendCall, waitLimitMs: number): SendCall {
  const { quota, sharedQuota: shared } = lines;
  if (quota === undefined) return send;
  return async (request, target, permit) => {
    // An open breaker refuses at once: no wait for a turn, and no turn spent, on a call it would refuse anyway.
    lines.breaker?.refuseWhileOpen();
    await takeTurn(source, quota, waitLimitMs, shared);
    const held: HeldPermit = {
      async lendDuring(wait) {
        const value = await (permit ? permit.lendDuring(wait) : wait());
        await takeTurn(source, quota, waitLimitMs, shared);
        return value;
      },
    };
    return send(request, target, held);
  };
}

/**
 * Tells the quota what each answer says of the vendor's budget: a 429 or 420 (Ledger Enterprise's)
 * throttles it until `Retry-After` (seconds or an HTTP date) or `X-RateLimit-Reset`; a success with
 * `X-RateLimit-Remaining: 0` pauses it until the reset without lowering the rate; any other success
 * lets the rate recover. Every attempt passes here, retries and token requests included.
 */
export function observeRateLimit(lines: QuotaLines, attempt: Attempt): Attempt {
  const { quota, sharedQuota: shared } = lines;
  if (quota === undefined) return attempt;
  return async (request, target, signal) => {
    const response = await attempt(request, target, signal);
    const now = Date.now();
    if (response.status === 429 || response.status === 420) {
      const until = vendorWaitUntil(response, now);
      quota.throttled(now, until);
      shared?.throttled(until);
    } else if (response.status < 500) {
      const remaining = header(response, 'x-ratelimit-remaining');
      const reset = resetAt(header(response, 'x-ratelimit-reset'), now);
      if (remaining === '0' && reset !== undefined) {
        quota.exhaustedUntil(now, reset);
        shared?.exhaustedUntil(reset);
      } else if (response.status < 300) {
        quota.succeeded(now);
        shared?.succeeded();
      }
    }
    return response;
  };
}

/** Waits for the call's turn, booking again when a throttling came meanwhile; bounded by the deadline. */
async function takeTurn(
  source: string,
  quota: SourceQuota,
  waitLimitMs: number,
  shared: SharedQuotaLine | undefined,
): Promise<void> {
  const scope = currentScope();
  const latest = deadlineOf(scope?.operation) ?? Date.now() + waitLimitMs;
  const signal = scope?.signal;
  // The caller gone while Redis was asked: no turn is taken anywhere (a booking that answers later is given back).
  const stayed = () => {
    if (signal?.aborted) throw operationEndedError(source, signal.reason);
  };
  for (;;) {
    const booked = shared ? await shared.reserve(latest, signal) : undefined;
    if (booked && signal?.aborted) shared?.release(booked);
    stayed();
    // Redis unable to answer: this replica's share of the quota.
    const own = shared?.whileAway() ?? quota;
    const ticket: QuotaTicket | undefined =
      booked === undefined ? own.reserve(Date.now(), latest) : (booked ?? undefined);
    if (ticket === undefined) throw new QuotaWaitError(source, own.snapshot().pausedUntil > Date.now());
    const wait = ticket.at - Date.now();
    if (wait > 0)
      await sleep(wait, signal).catch((reason: unknown) => {
        if (booked === undefined) own.release(ticket, Date.now());
        else shared?.release(ticket);
        throw operationEndedError(source, reason);
      });
    // A shared turn due at once skips the check: no replica's throttling can have come between.
    const holds =
      booked === undefined ? own.holds(ticket) : wait <= 0 || ((await shared?.holds(ticket, signal)) ?? true);
    stayed();
    if (!holds) continue;
    // Late timers must not send several turns' calls at once (SourceQuota.depart); bounded by the operation's end.
    for (let left = quota.depart(Date.now()); left > 0; left = quota.depart(Date.now()))
      await sleep(left, signal).catch((reason: unknown) => {
        throw operationEndedError(source, reason);
      });
    return;
  }
}

/** The latest moment the operation waits for this call, or undefined when no operation bounds it. */
export function deadlineOf(operation: Operation | undefined): number | undefined {
  if (operation === undefined) return undefined;
  if (operation.sharedBy === undefined) return operation.deadlineAt;
  let latest: number | undefined;
  for (const waiting of operation.sharedBy()) {
    const deadline = deadlineOf(waiting);
    if (deadline === undefined) return undefined;
    latest = Math.max(latest ?? deadline, deadline);
  }
  return latest;
}

/** When the vendor says to come back: `Retry-After`, else `X-RateLimit-Reset`, else undefined (its own default). */
function vendorWaitUntil(response: HttpResponse, now: number): number | undefined {
  const retryAfter = header(response, 'retry-after');
  if (retryAfter !== undefined) {
    if (/^\d+$/.test(retryAfter)) return now + Number(retryAfter) * 1000;
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return date;
  }
  return resetAt(header(response, 'x-ratelimit-reset'), now);
}

/**
 * `X-RateLimit-Reset` is written both ways in the wild: seconds until the reset, or the reset as
 * epoch seconds (Ledger Enterprise's docs do not say which). A figure past 10^9 can only be the latter.
 */
function resetAt(value: string | undefined, now: number): number | undefined {
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value)) return undefined;
  const seconds = Number(value);
  return seconds > 1e9 ? seconds * 1000 : now + seconds * 1000;
}

function header(response: HttpResponse, name: string): string | undefined {
  const value = response.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined ? undefined : text.trim();
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (signal?.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const abort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', abort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', abort, { once: true });
  });
}
