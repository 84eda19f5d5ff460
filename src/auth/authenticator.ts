import type { Logger } from '../logger.ts';
import { createApiKeyVerifier } from './api-keys.ts';
import { createJwtVerifier } from './jwt.ts';
import { bearerChallenge, unauthenticated } from './refusals.ts';
import type { AuthConfig, Principal } from './types.ts';

/** The caller when authentication is off. */
export const EVERYONE: Principal = { id: 'anonymous', sources: 'all' };

export interface Authenticator {
  /** The caller of a request, or an UNAUTHENTICATED error (HTTP 401; 503 when the token issuer is unreachable). */
  authenticate(request: Request): Promise<Principal>;
}

export interface AuthenticatorOptions {
  /** Refusals are logged at debug (the reason, never the credential), an unreachable token issuer at warn. */
  readonly logger?: Logger;
}

export const API_KEY_HEADER = 'x-api-key';
/** RFC 6750 §2.1: `Bearer` (any case), then a b64token. */
const BEARER = /^bearer +([A-Za-z0-9\-._~+/]+=*) *$/i;
const BEARER_SCHEME = /^bearer(?: |$)/i;
/** Longer credentials are refused unread: no configured key or real token is this long. */
const MAX_KEY_LENGTH = 1024;
const MAX_TOKEN_LENGTH = 16 * 1024;

/**
 * Reads the caller from `x-api-key` or `authorization: Bearer`. A request sending both is refused
 * (which one should win is a guess, and a proxy adding one would silently change who is calling);
 * an `authorization` header of another scheme (Basic for a proxy in front) is not a credential
 * of this gateway and is ignored.
 */
export function createAuthenticator(config: AuthConfig | null, options: AuthenticatorOptions = {}): Authenticator {
  if (config === null) return { authenticate: async () => EVERYONE };
  const { logger } = options;
  const apiKeys = config.apiKeys.length > 0 ? createApiKeyVerifier(config.apiKeys) : null;
  const jwt = config.jwt ? createJwtVerifier(config.jwt, logger) : null;
  const challenge = jwt ? bearerChallenge(false) : null;
  const accepted = [apiKeys ? 'an API key in x-api-key' : null, jwt ? 'a bearer token in authorization' : null]
    .filter((way) => way !== null)
    .join(' or ');
  const refuse = (reason: string, message: string, invalidToken = false) => {
    logger?.debug('request refused', { reason });
    return unauthenticated(message, invalidToken ? bearerChallenge(true) : challenge);
  };

  return {
    async authenticate(request) {
      const key = request.headers.get(API_KEY_HEADER);
      const authorization = request.headers.get('authorization');
      const bearer = authorization !== null && BEARER_SCHEME.test(authorization.trim()) ? authorization.trim() : null;
      if (key && bearer) throw refuse('both credentials', `send one credential, not both: ${accepted}`);
      if (key) {
        if (!apiKeys) throw refuse('API key not accepted', `this gateway does not accept API keys: send ${accepted}`);
        const principal = key.length <= MAX_KEY_LENGTH ? apiKeys(key) : null;
        if (!principal) throw refuse('unknown API key', 'the API key is not recognised');
        return principal;
      }
      if (bearer) {
        if (!jwt)
          throw refuse('bearer token not accepted', `this gateway does not accept bearer tokens: send ${accepted}`);
        const token = bearer.length <= MAX_TOKEN_LENGTH ? BEARER.exec(bearer)?.[1] : undefined;
        if (token === undefined)
          throw refuse('malformed bearer token', 'the bearer token is not valid for this gateway', true);
        return jwt(token);
      }
      throw refuse('no credentials', `missing credentials: send ${accepted}`);
    },
  };
}
