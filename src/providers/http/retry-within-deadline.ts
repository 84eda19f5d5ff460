import { GatewayError, SourceError, type SourceFailureCause, sourceErrorForStatus } from '../../errors.ts';
import { operationEndedError } from '../../operation-end.ts';
import { currentScope } from '../../request-scope.ts';
import { noteVendorFailureBehind } from './circuit-breaker.ts';
import type { Attempt, SendCall } from './types.ts';

export interface RetryOptions {
  /** The configured source name, used in error messages and `extensions.source`. */
  readonly source: string;
  /** Deadline for the whole call: every attempt, its body and the pauses between them. */
  readonly timeoutMs: number;
  /** Retries of a GET after a retryable failure; other methods are never retried. */
  readonly retries: number;
}

/**
 * Runs each call's attempts under one deadline: a non-2xx status not in `accept` becomes its
 * SourceError, a retryable failure of a GET is tried again after a jittered backoff (or the
 * vendor's `Retry-After`) while retries and the deadline allow, and anything else reaching the
 * deadline is SOURCE_TIMEOUT. A pause that would end past the deadline is not taken: the call
 * fails at once with the failure it has.
 *
 * The clock starts here, when the call goes out (after any wait for a permit). A pause gives the
 * call's permit back and takes it again after (`HeldPermit`). The call's
 * operation (the request scope's signal) can end it sooner: then whatever was in flight is
 * aborted and the call fails with the operation's OPERATION_* error, never a vendor failure.
 * Other gateway errors (an exhausted call budget) pass through and are not retried; either kind,
 * when it cuts a retry short, carries the vendor's last failure to the breaker (circuit-breaker.ts).
 */
export function retryWithinDeadline(options: RetryOptions, attempt: Attempt): SendCall {
  const { source, timeoutMs } = options;
  return async (request, target, permit) => {
    const operation = currentScope()?.signal;
    // One controller per call: its timer is cleared and its listener on the operation removed when
    // the call settles, so nothing of the call outlives it (AbortSignal.timeout cannot be cleared).
    const call = new AbortController();
    const signal = call.signal;
    const timer = setTimeout(() => call.abort(new Error(`call deadline of ${timeoutMs} ms`)), timeoutMs);
    const onEnd = () => call.abort(operation?.reason);
    if (operation?.aborted) onEnd();
    else operation?.addEventListener('abort', onEnd, { once: true });
    const failureOf = (error: unknown) =>
      operation?.aborted
        ? operationEndedError(source, operation.reason)
        : toSourceError(error, signal, source, timeoutMs);
    const deadline = Date.now() + timeoutMs;
    const retries = request.method === 'GET' ? options.retries : 0;
    let vendorFailed: SourceError | undefined;
    try {
      for (let tried = 0; ; tried += 1) {
        try {
          const response = await attempt(request, target, signal);
          const ok = (response.status >= 200 && response.status < 300) || request.accept?.includes(response.status);
          if (ok) return response;
          throw Object.assign(sourceErrorForStatus(source, response.status), {
            retryAfter: response.headers['retry-after'],
          });
        } catch (error) {
          const failure = failureOf(error);
          if (!(failure instanceof SourceError)) {
            // The budget or the operation's end cut the retries short: the vendor's failures before still count.
            if (vendorFailed !== undefined) noteVendorFailureBehind(failure, vendorFailed);
            throw failure;
          }
          if (!failure.retryable || tried >= retries) throw failure;
          vendorFailed = failure;
          const pause = backoff(tried, failure);
          // A Retry-After that does not fit inside the deadline is not waited for: the call fails now.
          if (Date.now() + pause >= deadline) throw failure;
          // The pause holds no permit: another call (another operation's) uses the connection meanwhile.
          const waited = () => sleep(pause, signal);
          await (permit ? permit.lendDuring(waited) : waited()).catch((reason: unknown) => {
            const ended = signal.aborted ? failureOf(signal.reason) : failureOf(reason);
            if (!(ended instanceof SourceError)) noteVendorFailureBehind(ended, failure);
            throw ended;
          });
          // The permit came back too late for another attempt: the call fails with what it has.
          if (Date.now() >= deadline) throw failure;
        }
      }
    } finally {
      clearTimeout(timer);
      operation?.removeEventListener('abort', onEnd);
    }
  };
}

/**
 * The pause before retry `attempt + 1` (0-based), in ms: jittered exponential backoff, 25–75 ms
 * then 50–150 ms and so on; a Retry-After (seconds or an HTTP date) wins when it is given.
 */
export function backoff(attempt: number, failure: SourceError & { retryAfter?: unknown }, now = Date.now()): number {
  const header = typeof failure.retryAfter === 'string' ? failure.retryAfter.trim() : '';
  if (/^\d+$/.test(header)) return Number(header) * 1000;
  const date = header === '' ? Number.NaN : Date.parse(header);
  if (Number.isFinite(date)) return Math.max(0, date - now);
  const base = 50 * 2 ** attempt;
  return base / 2 + Math.random() * base;
}

/** Settles as `promise` does, or rejects with the signal's reason as soon as the signal aborts. */
export function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/**
 * What a failed attempt means to the caller: its own gateway error, a timeout past the deadline, or
 * unreachable; the operator-level cause (classifyNetworkFailure) rides on the error, not its message.
 */
function toSourceError(error: unknown, signal: AbortSignal, source: string, timeoutMs: number): GatewayError {
  if (error instanceof GatewayError) return error;
  const code = (error as { code?: unknown } | null)?.code;
  if (signal.aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
    return new SourceError('SOURCE_TIMEOUT', `source "${source}" did not answer within ${timeoutMs} ms`, {
      source,
      retryable: false,
      cause: error,
      failureCause: 'timeout',
    });
  }
  return new SourceError('SOURCE_UNAVAILABLE', `source "${source}" could not be reached`, {
    source,
    cause: error,
    failureCause: classifyNetworkFailure(error),
  });
}

const NETWORK_CAUSES: ReadonlyArray<[RegExp, SourceFailureCause]> = [
  [/^(ENOTFOUND|EAI_AGAIN|EAI_FAIL|EAI_NONAME|EAI_NODATA)$/, 'dns'],
  [/^ECONNREFUSED$/, 'refused'],
  // UND_ERR_SOCKET is undici's "other side closed": the peer dropped the connection mid-exchange.
  [/^(ECONNRESET|EPIPE|ECONNABORTED|UND_ERR_SOCKET)$/, 'reset'],
  [/^(ETIMEDOUT|UND_ERR_CONNECT_TIMEOUT|UND_ERR_HEADERS_TIMEOUT|UND_ERR_BODY_TIMEOUT)$/, 'timeout'],
  // OpenSSL's verification codes (DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED…) and Node's TLS ones.
  [/CERT|SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|^ERR_TLS_|^ERR_SSL_|^EPROTO$/, 'tls'],
];

/**
 * The cause of a failure below HTTP, from the error codes of the error, its `cause` chain and (for
 * a connection tried on several addresses) its AggregateError's errors; `unreachable` when none
 * is known. Reads codes only, never a message.
 */
export function classifyNetworkFailure(error: unknown): SourceFailureCause {
  const seen = new Set<unknown>();
  const codes: string[] = [];
  const visit = (value: unknown) => {
    if (typeof value !== 'object' || value === null || seen.has(value) || seen.size > 16) return;
    seen.add(value);
    const code = (value as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    visit((value as { cause?: unknown }).cause);
    const inner = (value as { errors?: unknown }).errors;
    if (Array.isArray(inner)) for (const item of inner) visit(item);
  };
  visit(error);
  for (const [pattern, cause] of NETWORK_CAUSES) if (codes.some((code) => pattern.test(code))) return cause;
  return 'unreachable';
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const abort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', abort);
      resolve();
    }, ms);
    signal.addEventListener('abort', abort, { once: true });
  });
}
