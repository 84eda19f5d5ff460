import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { WireValue } from './wire.ts';

/**
 * The stack's auth service, client-credentials grant only (RFC 6749 §4.4): the client may
 * authenticate with HTTP Basic (§2.3.1) or with `client_id`/`client_secret` in the form, which is
 * what the Formance SDKs send. Errors are OAuth2 error bodies (§5.2), not ledger ones.
 */
export interface TokenIssuer {
  /** Answers `POST /api/auth/oauth/token`. */
  issue(body: string, headers: Readonly<Record<string, string | undefined>>): { status: number; json: WireValue };
  /** Whether the request carries a bearer token this issuer gave out and that has not expired. */
  authorized(headers: Readonly<Record<string, string | undefined>>): boolean;
  /** Forgets every token, as a key rotation would. */
  revoke(): void;
  /** Token requests received, successful or not. */
  readonly requests: number;
}

export function createTokenIssuer(clientId: string, clientSecret: string, ttlSeconds: number): TokenIssuer {
  const tokens = new Map<string, number>();
  let requests = 0;
  const invalidClient = {
    status: 401,
    json: { error: 'invalid_client', error_description: 'client authentication failed' },
  };

  return {
    issue(body, headers) {
      requests += 1;
      if (!(headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded'))
        return { status: 400, json: { error: 'invalid_request' } };
      const form = new URLSearchParams(body);
      if (form.get('grant_type') !== 'client_credentials')
        return { status: 400, json: { error: 'unsupported_grant_type' } };
      let id = form.get('client_id');
      let secret = form.get('client_secret');
      const basic = /^Basic\s+(.+)$/i.exec(headers.authorization ?? '')?.[1];
      if (basic) {
        const [user = '', password = ''] = Buffer.from(basic, 'base64').toString('utf8').split(':');
        try {
          // §2.3.1: both parts are form-urlencoded before being joined.
          [id, secret] = [decodeURIComponent(user), decodeURIComponent(password)];
        } catch {
          return invalidClient;
        }
      }
      if (id !== clientId || secret === null || !sameText(secret, clientSecret)) return invalidClient;
      const token = randomBytes(24).toString('base64url');
      tokens.set(token, Date.now() + ttlSeconds * 1000);
      return {
        status: 200,
        json: { access_token: token, token_type: 'Bearer', expires_in: ttlSeconds, scope: form.get('scope') ?? '' },
      };
    },
    authorized(headers) {
      const token = /^Bearer\s+(\S+)$/i.exec(headers.authorization ?? '')?.[1];
      const expiresAt = token === undefined ? undefined : tokens.get(token);
      return expiresAt !== undefined && Date.now() < expiresAt;
    },
    revoke: () => tokens.clear(),
    get requests() {
      return requests;
    },
  };
}

function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}
