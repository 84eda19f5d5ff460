import { GatewayError, UnauthenticatedError } from '../errors.ts';

/** How long a client should wait before retrying when the token issuer's key set cannot be read. */
export const KEY_SET_RETRY_SECONDS = 5;

/**
 * An UnauthenticatedError (HTTP 401) with a `WWW-Authenticate` challenge when bearer tokens are
 * accepted (RFC 6750 §3: `error="invalid_token"` for a token that failed, nothing for a request
 * that sent none). Yoga copies `extensions.http.headers` onto the response and strips `http`
 * from the body.
 */
export function unauthenticated(message: string, challenge: string | null = null): UnauthenticatedError {
  const error = new UnauthenticatedError(message);
  if (challenge !== null) error.extensions.http = { status: 401, headers: { 'www-authenticate': challenge } };
  return error;
}

/** The challenge of a gateway that accepts bearer tokens. */
export function bearerChallenge(invalidToken: boolean): string {
  return invalidToken ? 'Bearer realm="balance-gateway", error="invalid_token"' : 'Bearer realm="balance-gateway"';
}

/**
 * The issuer's key set cannot be read (down, slow, answering nonsense): the token may well be
 * good, so this is HTTP 503 with Retry-After, not 401, and the client should keep its token.
 * The code stays UNAUTHENTICATED: the request was not authenticated and nothing ran.
 */
export function keySetUnavailable(cause?: unknown): GatewayError {
  return new GatewayError(
    'UNAUTHENTICATED',
    "bearer tokens cannot be checked right now (the token issuer's keys are unreachable); try again shortly",
    {
      cause,
      extensions: { http: { status: 503, headers: { 'retry-after': String(KEY_SET_RETRY_SECONDS) } } },
    },
  );
}
