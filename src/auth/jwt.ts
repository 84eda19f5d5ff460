import type { JWTPayload, JWTVerifyGetKey, JWTVerifyOptions } from 'jose';
import { GatewayError, type UnauthenticatedError } from '../errors.ts';
import { loadOnFirstUse } from '../load-on-first-use.ts';
import type { Logger } from '../logger.ts';
import { bearerChallenge, KEY_SET_RETRY_SECONDS, keySetUnavailable, unauthenticated } from './refusals.ts';
import type { JwtSettings, Principal, SourceGrant } from './types.ts';

// Only where bearer tokens are accepted (`auth.jwt`).
const jose = loadOnFirstUse<typeof import('jose')>('jose');

/** The caller of a bearer token, or an UNAUTHENTICATED error. */
export type JwtVerifier = (token: string) => Promise<Principal>;

/** A slow issuer costs a request at most this long; jose's default is 5 s. */
const JWKS_TIMEOUT_MS = 3000;
/** A token with an unknown `kid` refetches the key set (key rotation), at most this often. */
const JWKS_COOLDOWN_MS = 30_000;
/** Keys are re-read this often even when every `kid` is known, so a revoked key goes. */
const JWKS_MAX_AGE_MS = 10 * 60_000;
const MAX_SUBJECT_LENGTH = 256;
/**
 * No token is taken whose `exp` lies further ahead than this, whatever the settings: a token good
 * "until 9999" never really expires, which is why a token without `exp` is refused in the first
 * place. A year and a day leaves room for any issuer's long-lived tokens; `maxTokenAgeSeconds` is the
 * setting for a tighter bound.
 */
const MAX_LIFETIME_SECONDS = 366 * 86_400;
const INVALID = 'the bearer token is not valid for this gateway';

/**
 * Verifies a JWT with jose: signature by a key of the issuer (a JWKS URL, or one static public
 * key), one of the configured asymmetric algorithms, `iss`, `aud`, `exp` and `nbf` with the clock
 * tolerance, and a `sub`. The sources claim then decides what the caller sees.
 */
export function createJwtVerifier(settings: JwtSettings, logger?: Logger): JwtVerifier {
  const options: JWTVerifyOptions = {
    issuer: settings.issuer,
    audience: settings.audience,
    algorithms: [...settings.algorithms],
    clockTolerance: settings.clockToleranceSeconds,
    // A token without exp would never expire; one without sub names nobody in the logs.
    requiredClaims: ['exp', 'sub'],
    // jose then requires iat too, refuses a token older than this, and one issued in the future.
    ...(settings.maxTokenAgeSeconds === null ? {} : { maxTokenAge: settings.maxTokenAgeSeconds }),
  };
  const keys = settings.keys;
  const { jwtVerify } = jose();
  let verify: (token: string) => Promise<{ payload: JWTPayload }>;
  if ('jwksUrl' in keys) {
    const keySet = createKeySet(keys.jwksUrl, logger);
    verify = (token) => jwtVerify(token, keySet, options);
  } else {
    verify = (token) => jwtVerify(token, keys.publicKey, options);
  }
  return async (token) => {
    let payload: JWTPayload;
    try {
      ({ payload } = await verify(token));
    } catch (error) {
      throw refusalOf(error, logger);
    }
    if (typeof payload.exp === 'number' && payload.exp - Date.now() / 1000 > MAX_LIFETIME_SECONDS) {
      logger?.debug('bearer token refused', { claim: 'exp', reason: 'too far ahead' });
      throw unauthenticated(
        'the bearer token expires too far ahead (more than 366 days from now); ask the issuer for a shorter-lived one',
        bearerChallenge(true),
      );
    }
    return principalOf(payload, settings);
  };
}

/**
 * jose's remote key set (cached, refetched on an unknown `kid` after a cooldown, with a timeout),
 * whose failures to read the set become one coded error. After a failure the set is not asked
 * again for a few seconds: requests are refused at once instead of each waiting on a down issuer.
 */
function createKeySet(url: URL, logger?: Logger): JWTVerifyGetKey {
  const { createRemoteJWKSet, errors } = jose();
  const remote = createRemoteJWKSet(url, {
    timeoutDuration: JWKS_TIMEOUT_MS,
    cooldownDuration: JWKS_COOLDOWN_MS,
    cacheMaxAge: JWKS_MAX_AGE_MS,
  });
  let failedAt = Number.NEGATIVE_INFINITY;
  return async (header, token) => {
    // Fail fast only while no key set is held at all: with keys cached, a refetch that fails (forced
    // by a token naming an unknown kid, which costs an attacker nothing) must not lock out the
    // tokens those keys verify.
    const cached = remote.jwks() !== undefined;
    if (!cached && Date.now() - failedAt < KEY_SET_RETRY_SECONDS * 1000) throw keySetUnavailable();
    try {
      return await remote(header, token);
    } catch (error) {
      // No key for the token's kid and alg, even after a refetch: the token's fault, not the issuer's.
      if (error instanceof errors.JWKSNoMatchingKey || error instanceof errors.JWKSMultipleMatchingKeys) throw error;
      if (!cached) failedAt = Date.now();
      logger?.warn('jwt key set unreachable', { error: (error as Error).name, code: codeOf(error) });
      throw keySetUnavailable(error);
    }
  };
}

/** What the caller is told: enough to fix the token, never the token or which key was tried. */
function refusalOf(error: unknown, logger?: Logger): GatewayError {
  if (error instanceof GatewayError) return error;
  const { errors } = jose();
  logger?.debug('bearer token refused', {
    code: codeOf(error),
    claim: error instanceof errors.JWTClaimValidationFailed ? error.claim : undefined,
  });
  if (error instanceof errors.JWTExpired) {
    // jose reports a token older than maxTokenAgeSeconds as expired, on its `iat`.
    return error.claim === 'iat'
      ? unauthenticated(
          'the bearer token was issued too long ago (maxTokenAgeSeconds); ask the issuer for a new one',
          bearerChallenge(true),
        )
      : unauthenticated('the bearer token is expired', bearerChallenge(true));
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return unauthenticated('the bearer token is not valid yet', bearerChallenge(true));
    if (error.reason === 'missing' && (error.claim === 'exp' || error.claim === 'sub' || error.claim === 'iat')) {
      const required = error.claim === 'iat' ? 'exp, sub and iat' : 'exp and sub';
      return unauthenticated(
        `the bearer token has no "${error.claim}" claim (the gateway requires ${required})`,
        bearerChallenge(true),
      );
    }
  }
  return unauthenticated(INVALID, bearerChallenge(true));
}

function principalOf(payload: JWTPayload, settings: JwtSettings): Principal {
  const subject = payload.sub;
  if (typeof subject !== 'string' || subject === '' || subject.length > MAX_SUBJECT_LENGTH)
    throw unauthenticated(INVALID, bearerChallenge(true));
  const sources = grantOf(payload[settings.sourcesClaim], settings.sourceNames);
  if (sources === null) throw missingClaim(settings.sourcesClaim);
  return { id: `jwt:${subject}`, sources };
}

/**
 * The sources claim: `"*"` (or a list holding `"*"`) for every source, else a list of names of
 * which the configured ones count. Anything else is refused rather than read as "no sources": a
 * token that sees nothing would answer empty lists, which looks like missing data, not a bad token.
 */
export function grantOf(claim: unknown, sourceNames: readonly string[]): SourceGrant | null {
  if (claim === '*') return 'all';
  if (!Array.isArray(claim) || !claim.every((name) => typeof name === 'string')) return null;
  if (claim.includes('*')) return 'all';
  const granted = new Set(sourceNames.filter((name) => claim.includes(name)));
  return granted.size > 0 ? granted : null;
}

function missingClaim(claim: string): UnauthenticatedError {
  return unauthenticated(
    `the bearer token does not name the sources it may see (claim ${claim}: a list of source names, or "*")`,
    bearerChallenge(true),
  );
}

function codeOf(error: unknown): string | undefined {
  const { code, cause } = (error ?? {}) as { code?: unknown; cause?: { code?: unknown } };
  if (typeof code === 'string') return code;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}
