import { sourceErrorForStatus } from '../../errors.ts';
import type { SourceTransport } from '../http/index.ts';
import { HttpClient, type QueryValue } from '../http/index.ts';
import { isObject } from '../json.ts';
import { createFormanceTokenSource, type FormanceCredentials, type FormanceTokenSource } from './oauth.ts';
import { errorBodyOf, noReading, type ReadOnce, replyReading } from '../reply-reading.ts';

/**
 * The ledger API of one Formance stack (`<url>/api/ledger`): one HttpClient, the bearer token on
 * every call, and one new token plus one retry when a cached token is refused with a 401.
 */
export interface FormanceApiOptions {
  readonly source: string;
  /** The ledger API root, `<stack url>/api/ledger`. */
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly transport?: SourceTransport;
  readonly credentials: FormanceCredentials | null;
}

export interface FormanceReply {
  readonly status: number;
  /** The parsed body of a 2xx; null for a 400/404 the caller allowed. */
  readonly body: unknown;
  /** `errorCode` of a 400/404 (`LEDGER_NOT_FOUND`, `VALIDATION`…); null when the body has none. */
  readonly errorCode: string | null;
  /** `errorMessage` of a 400/404, for decisions only: it never reaches a client or a log. */
  readonly errorMessage: string | null;
  /**
   * The body of this reply's vendor response mapped by `map`, once per response: every request
   * that joined the GET, or that the read cache answered with it, gets the same frozen result
   * (reply-reading.ts). Shape errors become SOURCE_BAD_RESPONSE.
   */
  readonly read: ReadOnce;
}

/** What a GET is to the source's read cache: `history` for a dated read of a day before today (closed-day.ts). */
export interface FormanceGetOptions {
  readonly cache?: 'history';
}

export interface FormanceApi {
  readonly source: string;
  /** GETs `path` below the ledger API root; 400/404 return only when listed in `allow`, other failures throw SourceErrors. */
  get(
    path: string,
    query?: Record<string, QueryValue>,
    allow?: readonly (400 | 404)[],
    options?: FormanceGetOptions,
  ): Promise<FormanceReply>;
  decode<T>(map: () => T): T;
  close(): Promise<void>;
}

/** The paths the connector calls below the ledger API root, as route templates (metrics and spans). */
const FORMANCE_ROUTES = [
  '/_info',
  '/v2/{ledger}',
  '/v2/{ledger}/accounts',
  '/v2/{ledger}/volumes',
  '/{ledger}/accounts',
  '/{ledger}/balances',
  '/{ledger}/aggregate/balances',
];

export function createFormanceApi(options: FormanceApiOptions): FormanceApi {
  const { source } = options;
  const client = new HttpClient({
    source,
    baseUrl: options.baseUrl,
    timeoutMs: options.timeoutMs,
    transport: options.transport,
    routes: FORMANCE_ROUTES,
  });
  const tokens: FormanceTokenSource | null = options.credentials
    ? createFormanceTokenSource(source, options.credentials, options.timeoutMs, options.transport)
    : null;

  return {
    source,
    async get(path, query, allow = [], options = {}) {
      for (let attempt = 0; ; attempt += 1) {
        const token = tokens ? await tokens.get() : null;
        const response = await client.send({
          method: 'GET',
          path,
          ...(query ? { query } : {}),
          ...(token ? { headers: { authorization: `Bearer ${token.value}` } } : {}),
          accept: [400, 401, 404],
          ...(options.cache ? { cache: options.cache } : {}),
        });
        if (response.status === 401) {
          // The ledger answers a bare 401 for a token it no longer takes (expired early, keys rotated):
          // one new token and one retry, unless this token was just issued for this very call.
          if (tokens && token && !token.fresh && attempt === 0) {
            tokens.invalidate(token.value);
            continue;
          }
          throw sourceErrorForStatus(source, 401);
        }
        if (response.status === 400 || response.status === 404) {
          if (!allow.includes(response.status)) throw sourceErrorForStatus(source, response.status);
          const { errorCode, errorMessage } = errorBodyOf(response, readErrorBody);
          return { status: response.status, body: null, errorCode, errorMessage, read: noReading };
        }
        return { status: response.status, ...replyReading(client, response), errorCode: null, errorMessage: null };
      }
    },
    decode: (map) => client.decode(map),
    async close() {
      await Promise.all([client.close(), tokens?.close()]);
    },
  };
}

/** `{errorCode, errorMessage}`; a 404 from a proxy in front of the ledger may carry anything else. */
function readErrorBody(body: unknown): { errorCode: string | null; errorMessage: string | null } {
  if (!isObject(body)) return { errorCode: null, errorMessage: null };
  return {
    errorCode: typeof body.errorCode === 'string' ? body.errorCode : null,
    errorMessage: typeof body.errorMessage === 'string' ? body.errorMessage : null,
  };
}
