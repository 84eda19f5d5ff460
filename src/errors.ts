import { GraphQLError } from 'graphql';

/**
 * Every code a client can see in `extensions.code`. Yoga masks any error that is not a
 * `GraphQLError`, so only these reach a client with their message intact.
 */
export type ErrorCode =
  | 'BAD_USER_INPUT'
  | 'UNAUTHENTICATED'
  | 'LIMIT_EXCEEDED'
  | 'CSRF_PREVENTED'
  | 'OVERLOADED'
  | 'NOT_FOUND'
  | 'UNSUPPORTED_BY_SOURCE'
  | 'SOURCE_UNAVAILABLE'
  | 'SOURCE_TIMEOUT'
  | 'SOURCE_RATE_LIMITED'
  | 'SOURCE_AUTH_FAILED'
  | 'SOURCE_BAD_RESPONSE'
  | 'OPERATION_TIMEOUT'
  | 'OPERATION_CANCELLED';

export interface GatewayErrorOptions {
  /** The configured source name the error belongs to, shown as `extensions.source`. */
  source?: string;
  /** Where the error came from, for logs only (never serialised to a client). */
  cause?: unknown;
  /** More `extensions` for the client beside `code` and `source` (never a vendor detail). */
  extensions?: Record<string, unknown>;
}

/** The root of the hierarchy: a GraphQLError with a stable code and, when known, the source. */
export class GatewayError extends GraphQLError {
  readonly code: ErrorCode;
  readonly sourceName: string | undefined;

  constructor(code: ErrorCode, message: string, options: GatewayErrorOptions = {}) {
    super(message, {
      extensions: { code, ...(options.source === undefined ? {} : { source: options.source }), ...options.extensions },
    });
    this.name = new.target.name;
    this.code = code;
    this.sourceName = options.source;
    if (options.cause !== undefined) Object.defineProperty(this, 'cause', { value: options.cause, enumerable: false });
  }
}

/** The caller sent something the gateway cannot use: a bad cursor, id, page size or filter. */
export class BadUserInputError extends GatewayError {
  constructor(message: string, options?: GatewayErrorOptions) {
    super('BAD_USER_INPUT', message, options);
  }
}

/**
 * The caller did not prove who it is: no API key or bearer token, or one the gateway does not
 * accept. Served as HTTP 401; the message never says which check failed beyond what a caller needs.
 */
export class UnauthenticatedError extends GatewayError {
  constructor(message: string) {
    super('UNAUTHENTICATED', message, { extensions: { http: { status: 401 } } });
  }
}

/** Which operation limit a request broke, shown as `extensions.limit`. */
export type LimitName =
  | 'depth'
  | 'aliases'
  | 'tokens'
  | 'directives'
  | 'cost'
  | 'ids'
  | 'pageSize'
  | 'bodySize'
  | 'pagesPerWalk'
  | 'upstreamCalls';

/**
 * The operation breaks a configured limit: refused before any vendor is called with an HTTP
 * status, or (`httpStatus` null) a field whose vendor call the running operation may not make.
 */
export class LimitExceededError extends GatewayError {
  readonly limit: LimitName;

  constructor(
    limit: LimitName,
    message: string,
    httpStatus: number | null = 400,
    headers?: Record<string, string>,
    options: Pick<GatewayErrorOptions, 'source' | 'cause'> = {},
  ) {
    super('LIMIT_EXCEEDED', message, {
      ...options,
      extensions: {
        limit,
        // A field error must not carry a status: yoga would answer the whole response with it.
        ...(httpStatus === null ? {} : { http: { status: httpStatus, ...(headers ? { headers } : {}) } }),
      },
    });
    this.limit = limit;
  }
}

/**
 * A vendor call cut because its operation ended: the deadline (`server.requestTimeoutMs`) passed
 * (OPERATION_TIMEOUT), or nobody waits for the answer any more (OPERATION_CANCELLED: the client
 * left, the answer was sent, the read was abandoned). It says nothing about the vendor's health.
 */
export class OperationAbortedError extends GatewayError {
  constructor(code: 'OPERATION_TIMEOUT' | 'OPERATION_CANCELLED', message: string, options?: GatewayErrorOptions) {
    super(code, message, options);
  }
}

/**
 * A vendor call the gateway did not send: the source's quota (`sources[].rateLimit`, lowered or
 * paused after the vendor's own throttling) gives it no turn before its operation's deadline. The
 * vendor was not asked, so it never counts against the source's circuit breaker (not a SourceError).
 */
export class QuotaWaitError extends GatewayError {
  constructor(source: string, paused: boolean) {
    const why = paused ? 'the source asked the gateway to wait' : "the source's quota (sources[].rateLimit) is spent";
    super('SOURCE_RATE_LIMITED', `source "${source}" was not called: ${why} past the operation's deadline`, {
      source,
    });
  }
}

/** The thing asked for does not exist at its source. */
export class NotFoundError extends GatewayError {
  constructor(message: string, options?: GatewayErrorOptions) {
    super('NOT_FOUND', message, options);
  }
}

/** The source's API cannot answer this field; other fields of the same query still resolve. */
export class UnsupportedBySourceError extends GatewayError {
  constructor(message: string, options?: GatewayErrorOptions) {
    super('UNSUPPORTED_BY_SOURCE', message, options);
  }
}

export type SourceErrorCode = Extract<ErrorCode, `SOURCE_${string}`>;

/**
 * Why a vendor call failed, as an operator needs it (logs only, never in a response): the name
 * was not resolved (`dns`), the port refused the connection, the peer reset it, TLS failed (a
 * certificate the gateway does not trust), the vendor did not answer in time, answered an HTTP
 * status the gateway does not accept (`status` says which), sent a body over
 * `sources[].maxResponseBytes`, or one the gateway cannot read (not JSON, the wrong shape, broken
 * paging); `unreachable` is any other network failure.
 */
export type SourceFailureCause =
  | 'dns'
  | 'refused'
  | 'reset'
  | 'tls'
  | 'timeout'
  | 'http_status'
  | 'body_too_large'
  | 'bad_body'
  | 'unreachable';

export interface SourceErrorOptions extends GatewayErrorOptions {
  retryable?: boolean;
  /** The operator-level cause; a SOURCE_BAD_RESPONSE without one is `bad_body`. */
  failureCause?: SourceFailureCause;
  /** The vendor's HTTP status, when the failure is one. */
  httpStatus?: number;
}

/** The vendor failed us: unreachable, slow, throttling, refusing our credentials or answering nonsense. */
export class SourceError extends GatewayError {
  /** Whether an idempotent call that failed this way may be tried again. */
  readonly retryable: boolean;
  /** For log lines only: a field, never serialised (GraphQLError's JSON is message, path and extensions). */
  readonly failureCause: SourceFailureCause | undefined;
  readonly httpStatus: number | undefined;

  constructor(code: SourceErrorCode, message: string, options: SourceErrorOptions = {}) {
    super(code, message, options);
    this.retryable = options.retryable ?? (code === 'SOURCE_UNAVAILABLE' || code === 'SOURCE_RATE_LIMITED');
    this.failureCause = options.failureCause ?? (code === 'SOURCE_BAD_RESPONSE' ? 'bad_body' : undefined);
    this.httpStatus = options.httpStatus;
  }
}

/**
 * Maps a vendor HTTP status to the error a client sees, in one place. The message names the
 * source and the status only: never the URL, a header or the vendor's body.
 */
export function sourceErrorForStatus(source: string, status: number): SourceError {
  const options = { source, failureCause: 'http_status', httpStatus: status } as const;
  if (status === 401 || status === 403) {
    return new SourceError(
      'SOURCE_AUTH_FAILED',
      `source "${source}" refused the gateway's credentials (HTTP ${status})`,
      options,
    );
  }
  // 420 is Ledger Enterprise's documented rate-limit status.
  if (status === 429 || status === 420) {
    return new SourceError(
      'SOURCE_RATE_LIMITED',
      `source "${source}" is rate limiting the gateway (HTTP ${status})`,
      options,
    );
  }
  if (status >= 500 || status === 408) {
    return new SourceError('SOURCE_UNAVAILABLE', `source "${source}" failed (HTTP ${status})`, options);
  }
  return new SourceError('SOURCE_BAD_RESPONSE', `source "${source}" answered an unexpected HTTP ${status}`, {
    ...options,
    retryable: false,
  });
}

/** A configuration file that cannot be used. Its message is one line naming the field, never a value. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}
