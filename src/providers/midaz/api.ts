import { sourceErrorForStatus } from '../../errors.ts';
import { HttpClient, type QueryValue } from '../http/index.ts';
import type { SourceTransport } from '../http/index.ts';
import { isObject } from '../json.ts';
import { errorBodyOf, noReading, type ReadOnce, replyReading } from '../reply-reading.ts';

/**
 * The ledger API of one Midaz organization (`<url>/v1/organizations/{organization_id}`): one
 * HttpClient, the Bearer token on every call when one is configured, and at most `concurrency`
 * calls in flight at once for the whole source, so a fan-out of hundreds of lookups never floods
 * a server that has no multi-account read. The client's permits are that cap, granted fairly
 * between operations: one operation's fan-out never makes another's lookup wait behind all of it.
 */
export interface MidazApiOptions {
  readonly source: string;
  /** The service root (`http://localhost:3002`); `/v1` is added unless the URL already ends with it. */
  readonly url: string;
  readonly organizationId: string;
  readonly token: string | null;
  readonly timeoutMs: number;
  readonly transport?: SourceTransport;
  readonly concurrency: number;
}

export interface MidazReply {
  readonly status: number;
  /** The parsed body of a 2xx; null for an allowed error status. */
  readonly body: unknown;
  /** The 4-digit `code` of a v3 error body (`0007`, `0141`…); null when there is none. */
  readonly code: string | null;
  /**
   * The body of this reply's vendor response mapped by `map`, once per response: every request
   * that joined the GET, or that the read cache answered with it, gets the same frozen result
   * (reply-reading.ts). Shape errors become SOURCE_BAD_RESPONSE.
   */
  readonly read: ReadOnce;
}

/** What a GET is to the source's read cache: `history` for a read of a day before today (closed-day.ts). */
export interface MidazGetOptions {
  readonly cache?: 'history';
}

export interface MidazApi {
  readonly source: string;
  /** GETs `path` below the organization; statuses in `allow` come back, others throw SourceErrors. */
  get(
    path: string,
    query?: Record<string, QueryValue>,
    allow?: readonly number[],
    options?: MidazGetOptions,
  ): Promise<MidazReply>;
  decode<T>(map: () => T): T;
  close(): Promise<void>;
}

/**
 * The paths the connector calls below the organization, as route templates (metrics and spans);
 * an alias path is matched before an id path, an external alias holding `/` is `other`.
 */
const MIDAZ_ROUTES = [
  '/ledgers',
  '/ledgers/{ledger_id}',
  '/ledgers/{ledger_id}/balances',
  '/ledgers/{ledger_id}/accounts',
  '/ledgers/{ledger_id}/accounts/alias/{alias}',
  '/ledgers/{ledger_id}/accounts/alias/{alias}/balances',
  '/ledgers/{ledger_id}/accounts/external/{code}',
  '/ledgers/{ledger_id}/accounts/external/{code}/balances',
  '/ledgers/{ledger_id}/accounts/{account_id}',
  '/ledgers/{ledger_id}/accounts/{account_id}/balances',
  '/ledgers/{ledger_id}/accounts/{account_id}/balances/history',
];

export function createMidazApi(options: MidazApiOptions): MidazApi {
  const root = options.url.replace(/\/+$/, '');
  const version = /\/v1$/.test(root) ? root : `${root}/v1`;
  const { token } = options;
  const client = new HttpClient({
    source: options.source,
    baseUrl: `${version}/organizations/${options.organizationId}`,
    timeoutMs: options.timeoutMs,
    transport: options.transport,
    // Midaz logs the X-Request-Id it is sent; the gateway's request id ties both logs together.
    requestIdHeader: 'X-Request-Id',
    authorize: token === null ? undefined : () => ({ authorization: `Bearer ${token}` }),
    connections: options.concurrency,
    routes: MIDAZ_ROUTES,
  });

  return {
    source: options.source,
    async get(path, query, allow = [], options = {}) {
      const response = await client.send({
        method: 'GET',
        path,
        ...(query ? { query } : {}),
        accept: allow,
        ...(options.cache ? { cache: options.cache } : {}),
      });
      if (response.status >= 200 && response.status < 300)
        return { status: response.status, ...replyReading(client, response), code: null };
      return { status: response.status, body: null, code: errorBodyOf(response, readErrorCode), read: noReading };
    },
    decode: (map) => client.decode(map),
    close: () => client.close(),
  };
}

/** `{"code": "0007", "title": …, "message": …}`; anything else (Fiber's text 404, a proxy page) has no code. */
function readErrorCode(body: unknown): string | null {
  return isObject(body) && typeof body.code === 'string' ? body.code : null;
}

/** The error for a status the caller allowed but cannot use. */
export function unexpected(api: MidazApi, reply: MidazReply): Error {
  return sourceErrorForStatus(api.source, reply.status);
}
