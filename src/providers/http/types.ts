export type QueryValue = string | number | boolean | undefined | null | readonly string[];

export interface HttpRequest {
  method: 'GET' | 'POST';
  /** Path below the base URL's own path, starting with `/`. Segments must already be encoded. */
  path: string;
  /**
   * The route template of `path` (`/balances/{id}`): the kind of call in metrics and spans. When
   * absent, the client matches `path` against its connector's `routes`, else `other`.
   */
  route?: string;
  /**
   * What the call is to the source's read cache (read-cache.ts): `history`, a read of a point of a
   * day before today, which no longer changes and may stay cached `historyTtlMs` (other GETs:
   * `ttlMs`); `invalidate`, a write that changes what the source's reads say (a top-up), after
   * which they are forgotten. A call with neither that is not a GET is never cached nor forgets anything.
   */
  cache?: 'history' | 'invalidate';
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  /** A JSON body (serialised here) or a form body. */
  body?: { json: unknown } | { form: Record<string, string> };
  /** Statuses other than 2xx the caller handles itself (typically 404). */
  accept?: readonly number[];
}

/**
 * A request as the client's layers hand it inward: the connector's request, and what an outer layer
 * worked out once for the layers inside it. A connector never sets these (HttpRequest has neither).
 */
export interface LayeredRequest extends HttpRequest {
  /**
   * Set by the read cache on a miss: the read's key (read-key.ts), so in-flight sharing joins on the
   * key the cache looked up instead of building it again. Absent: the layer that needs it builds it.
   */
  readonly readKey?: string;
  /**
   * Set by the read cache on a miss: the cache generation its lookup saw. In-flight sharing joins
   * only calls of the same generation, so a read looked up after a top-up never takes the answer of
   * a call that left before it (and stores it under the new generation).
   */
  readonly cacheGeneration?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

export interface JsonResponse {
  status: number;
  body: unknown;
}

/**
 * The rest of the client as one concern sees it, composed once per client as undici composes its
 * interceptors: `target` is the request's path and query below the origin, built once per call;
 * `permit` the source's permit the call holds (fair-permits.ts), once it holds one.
 */
export type SendCall = (request: LayeredRequest, target: string, permit?: HeldPermit) => Promise<HttpResponse>;

/** The permit a call holds: given back while the call only waits (a retry's pause), taken again after. */
export interface HeldPermit {
  /** Runs `wait` without the permit and takes it again (in the operation's turn) before settling. */
  lendDuring<T>(wait: () => Promise<T>): Promise<T>;
}

/** One HTTP exchange, bounded by the call's deadline `signal`; any status comes back as a response. */
export type Attempt = (request: LayeredRequest, target: string, signal: AbortSignal) => Promise<HttpResponse>;
