import { SourceError } from '../../errors.ts';
import { operationEndedError } from '../../operation-end.ts';
import { currentScope } from '../../request-scope.ts';
import { HttpClient } from '../http/index.ts';
import type { SourceTransport } from '../http/index.ts';
import { deadlineOf } from '../http/rate-limit.ts';
import { createSharedWork } from '../shared-work.ts';
import {
  parseLosslessJson,
  readObject,
  readOptionalString,
  readSafeInteger,
  readString,
  VendorShapeError,
} from '../json.ts';

/**
 * OAuth2 client credentials for a Formance stack (RFC 6749 §4.4): a form-encoded
 * `grant_type=client_credentials` POST to the stack's auth service, the client authenticated with
 * `client_id`/`client_secret` in the form body, as the Formance SDKs do
 * (formance-sdk-typescript src/hooks/clientcredentials.ts). The token is cached until shortly
 * before `expires_in` runs out, and concurrent callers share one token request. With
 * `server.redis` (`transport.tokens`), a token one replica fetched serves every replica, and
 * replicas that find none at once send one token request between them (`claimFetch`).
 */
export interface FormanceCredentials {
  readonly clientId: string;
  readonly clientSecret: string;
  /** Absolute token endpoint URL. */
  readonly tokenUrl: string;
}

export interface AccessToken {
  readonly value: string;
  /** True when this caller waited for a token request, so a 401 will not be cured by another. */
  readonly fresh: boolean;
}

export interface FormanceTokenSource {
  get(): Promise<AccessToken>;
  /** Forgets `value` if it is still the cached token (the vendor refused it). */
  invalidate(value: string): void;
  close(): Promise<void>;
}

/** Refresh this long before expiry, but never more than a tenth of the token's life. */
const REFRESH_MARGIN_MS = 60_000;

export function createFormanceTokenSource(
  source: string,
  credentials: FormanceCredentials,
  timeoutMs: number,
  transport?: SourceTransport,
): FormanceTokenSource {
  const endpoint = new URL(credentials.tokenUrl);
  const client = new HttpClient({ source, baseUrl: endpoint.origin, timeoutMs, transport, retries: 0, connections: 2 });
  let cached: { value: string; refreshAt: number } | null = null;
  // Concurrent callers of any operation share one token request; one that leaves does not cut it for the others.
  const single = createSharedWork<AccessToken>((reason) => operationEndedError(source, reason));
  const shared = transport?.tokens;
  // What the shared token was granted for: another client or endpoint must not reuse it.
  const grant = `${credentials.tokenUrl} ${credentials.clientId}`;
  let refused: string | undefined;

  async function requestToken(): Promise<string> {
    const response = await client.send({
      method: 'POST',
      path: endpoint.pathname,
      // The configured token URL's path: a fixed kind of call whatever it is.
      route: '{tokenUrl}',
      query: Object.fromEntries(endpoint.searchParams),
      body: {
        form: {
          grant_type: 'client_credentials',
          client_id: credentials.clientId,
          client_secret: credentials.clientSecret,
        },
      },
      // RFC 6749 §5.2: a refused client is 400 (invalid_client, invalid_grant…) or 401; 429 and 5xx stay with HttpClient.
      accept: [400, 401, 403, 404, 405],
    });
    if (response.status !== 200) {
      throw new SourceError(
        'SOURCE_AUTH_FAILED',
        `source "${source}" refused the gateway's OAuth2 client credentials (HTTP ${response.status})`,
        {
          source,
          retryable: false,
        },
      );
    }
    const token = client.decode(() => {
      const body = readObject(parseLosslessJson(response.text), 'token response');
      const type = readOptionalString(body.token_type, 'token_type');
      if (type !== null && type.toLowerCase() !== 'bearer') throw new VendorShapeError('token_type is not Bearer');
      const value = readString(body.access_token, 'access_token');
      if (value === '') throw new VendorShapeError('access_token is empty');
      const lifetime =
        body.expires_in === undefined || body.expires_in === null
          ? null
          : readSafeInteger(body.expires_in, 'expires_in') * 1000;
      // Without `expires_in` the token is kept until the ledger answers 401.
      const refreshAt =
        lifetime === null
          ? Number.POSITIVE_INFINITY
          : Date.now() + lifetime - Math.min(REFRESH_MARGIN_MS, lifetime / 10);
      return { value, refreshAt };
    });
    cached = token;
    shared?.put(grant, token);
    return token.value;
  }

  /** Another replica's token when one is still good (not fresh: a 401 may be cured by a new one), else a new one. */
  async function sharedOrRequested(): Promise<AccessToken> {
    const found = shared ? await shared.get(grant) : undefined;
    // The forgetting of a refused token may not have reached Redis yet: never take it back from there.
    if (found !== undefined && found.value !== refused) {
      cached = found;
      return { value: found.value, fresh: false };
    }
    if (shared === undefined) return { value: await requestToken(), fresh: true };
    // One replica fetches for all: the others wait for its token, at most as long as its request may take.
    const scope = currentScope();
    const deadline = deadlineOf(scope?.operation);
    const hold = holdFor(deadline);
    // A waiter stops while it still has time for a request of its own: the holder may have died.
    const patience = deadline === undefined ? hold : deadline - Date.now() - timeoutMs;
    const giveUp = AbortSignal.timeout(Math.max(1, patience));
    const signal = scope?.signal ? AbortSignal.any([scope.signal, giveUp]) : giveUp;
    const fetched = await shared.claimFetch(grant, hold, refused, signal);
    if (fetched !== undefined) {
      cached = fetched;
      return { value: fetched.value, fresh: false };
    }
    try {
      return { value: await requestToken(), fresh: true };
    } finally {
      shared.unlock(grant);
    }
  }

  /**
   * The longest a token request may take from now: its wait for a fair permit and a quota turn (up
   * to the operation's deadline; outside one, `timeoutMs` each), then the request itself.
   */
  function holdFor(deadline: number | undefined): number {
    return (deadline === undefined ? 2 * timeoutMs : Math.max(0, deadline - Date.now())) + timeoutMs;
  }

  return {
    async get() {
      if (cached && Date.now() < cached.refreshAt) return { value: cached.value, fresh: false };
      // Single flight: every caller that finds no usable token waits for the same request.
      return single('token', sharedOrRequested);
    },
    invalidate(value) {
      if (cached?.value === value) cached = null;
      refused = value;
      shared?.forget(grant, value);
    },
    close: () => client.close(),
  };
}
