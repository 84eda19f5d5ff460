import { Pool } from 'undici';
import { SourceError } from '../../errors.ts';
import { MoneyFormatError } from '../../money.ts';
import { chargeUpstreamCall } from '../../operation-budget.ts';
import { throwIfEnded } from '../../operation-end.ts';
import { currentRequestId } from '../../request-scope.ts';
import { VendorShapeError } from '../json.ts';
import { freezeShared } from '../../relay/page-identities.ts';
import { withCircuitBreaker } from './circuit-breaker.ts';
import { FairPermits, withFairPermits } from './fair-permits.ts';
import { observeAttempts, observeCalls } from './observe-calls.ts';
import { observeRateLimit, withRateLimit } from './rate-limit.ts';
import { readCappedBody } from './read-capped-body.ts';
import { bodyOf, readOnce } from './read-once.ts';
import { withReadCache } from './read-cache.ts';
import { freshnessOfResponse, mapUnder, markModels } from '../read-freshness.ts';
import { retryWithinDeadline, untilAborted } from './retry-within-deadline.ts';
import { shareInflightGets } from './share-inflight-gets.ts';
import { createSourceTransport, type SourceTransport } from './source-transport.ts';
import type { HttpRequest, HttpResponse, JsonResponse, SendCall } from './types.ts';

export interface HttpClientOptions {
  /** The configured source name, used in error messages and `extensions.source`. */
  source: string;
  /** The vendor API base URL, possibly with a path prefix (`https://x.formance.cloud/api/ledger`). */
  baseUrl: string;
  /** Deadline for one upstream call, retries and body included. */
  timeoutMs: number;
  /**
   * The source's retry count, response size cap and circuit breaker, shared by all its clients.
   * Default: the defaults of source-transport.ts with a breaker of this client's own.
   */
  transport?: SourceTransport;
  /**
   * Calls in flight at once, and the keep-alive connections to the vendor: one permit per
   * connection, granted fairly between operations (fair-permits.ts), so undici's own pool queue,
   * where a wait would count against the call's deadline, never fills. Default 16.
   */
  connections?: number;
  /** Retries of an idempotent call after a retryable failure; overrides the transport's (a token endpoint uses 0). */
  retries?: number;
  /** A header that carries the gateway's request id to the vendor (Midaz logs `X-Request-Id`). */
  requestIdHeader?: string;
  /** Route templates of the connector's calls (`/balances/{id}`), for the kind of call in metrics and spans. */
  routes?: readonly string[];
  /** Headers for every call (credentials). Called per attempt so tokens can refresh. */
  authorize?: (signal: AbortSignal) => Promise<Record<string, string>> | Record<string, string>;
}

/**
 * One vendor's HTTP client: an undici Pool with keep-alive, a per-call deadline, retries of
 * idempotent calls with jittered backoff, the source's circuit breaker, a response size cap that
 * also holds after decompression, redirects never followed (a 3xx is an unexpected status), TLS
 * verified as Node does by default (no option here relaxes it), and identical GETs in flight
 * made once. Errors are SourceErrors that name the source only.
 *
 * Each concern has its file; a call passes them outside in: in-flight sharing, a fair permit (one
 * of `connections`, lent out during a retry's pause), a turn in the source's quota (rate-limit.ts), metrics and the call's span (observe-calls.ts), the breaker, the deadline and retries, then one attempt here (request
 * building, the operation's call budget) and the capped body read.
 *
 * Every call belongs to the operation of the request scope it is made in: once that operation's
 * signal aborts (deadline, client gone, answer sent) no new call starts and those in flight are
 * aborted, with an OPERATION_* error that never counts against the breaker.
 */
export class HttpClient {
  readonly source: string;
  readonly #pool: Pool;
  readonly #basePath: string;
  readonly #options: HttpClientOptions;
  readonly #transport: SourceTransport;
  readonly #send: SendCall;
  readonly #permits: FairPermits;
  #calls = 0;

  constructor(options: HttpClientOptions) {
    const url = new URL(options.baseUrl);
    this.source = options.source;
    this.#options = options;
    this.#transport = options.transport ?? createSourceTransport(options.source);
    this.#basePath = url.pathname.replace(/\/+$/, '');
    const connections = options.connections ?? 16;
    // As many permits as connections: a call holding a permit always finds a connection.
    this.#permits = new FairPermits(connections);
    this.#pool = new Pool(url.origin, {
      connections,
      keepAliveTimeout: 30_000,
      // The call's own deadline (an AbortSignal) decides; these only back it up, so they never win the race.
      headersTimeout: options.timeoutMs + 1000,
      bodyTimeout: options.timeoutMs + 1000,
    });
    const retries = options.retries ?? this.#transport.retries;
    const attempt = observeAttempts(
      this.#transport.telemetry,
      observeRateLimit(this.#transport, this.#attempt.bind(this)),
    );
    const { source, routes } = options;
    const observed = { source, routes, breaker: this.#transport.breaker, telemetry: this.#transport.telemetry };
    this.#send = withReadCache(
      source,
      this.#transport.readCache,
      this.#transport.cache,
      shareInflightGets(
        options.source,
        withFairPermits(
          options.source,
          this.#permits,
          // The quota's wait and its refusals are the gateway's own, so they sit outside what the vendor-call metrics and spans observe.
          withRateLimit(
            options.source,
            this.#transport,
            observeCalls(
              observed,
              withCircuitBreaker(
                this.#transport.breaker,
                retryWithinDeadline({ source: options.source, timeoutMs: options.timeoutMs, retries }, attempt),
              ),
            ),
            options.timeoutMs,
          ),
          options.timeoutMs,
        ),
      ),
    );
  }

  /** How many HTTP calls this client has started (retries included). */
  get calls(): number {
    return this.#calls;
  }

  /**
   * Sends a request and returns its JSON body, parsed losslessly. Non-2xx statuses not in `accept`
   * throw. The body is parsed once per response: every caller that joined the same GET gets the
   * same parsed value, which nobody may change.
   */
  async json(request: HttpRequest): Promise<JsonResponse> {
    const response = await this.send(request);
    const body = this.decode(() => bodyOf(response));
    // Its records carry the answer's receive time into what a connector maps from them (carryFreshness).
    markModels(body, freshnessOfResponse(response));
    return { status: response.status, body };
  }

  /**
   * Sends a request and maps its JSON answer with `map`, once per response: every caller that
   * joined the same GET gets the same (frozen) result, or the same failure, instead of parsing and
   * mapping the body again. `as` names the mapping; one response read two ways keeps both. `map`
   * must give the same result for the same response under the same `as`, and its result is shared
   * between requests, so it must be immutable. Shape errors become SOURCE_BAD_RESPONSE, as in `decode`.
   */
  async read<T>(request: HttpRequest, as: string, map: (response: JsonResponse) => T): Promise<T> {
    const response = await this.send(request);
    return this.decode(() =>
      readOnce(response, `map:${as}`, () => {
        // The mapping carries the answer's receive time (read-freshness.ts); the body, read by this mapping only, needs no marks.
        const freshness = freshnessOfResponse(response);
        const body = bodyOf(response);
        const mapped = mapUnder(freshness, () => map({ status: response.status, body }));
        markModels(mapped, freshness);
        return freezeShared(mapped);
      }),
    );
  }

  /** Runs a mapping of a vendor body, turning a shape error into SOURCE_BAD_RESPONSE. */
  decode<T>(map: () => T): T {
    try {
      return map();
    } catch (error) {
      // A malformed amount is as much a bad response as a wrong shape: never a silently wrong number.
      if (error instanceof VendorShapeError || error instanceof MoneyFormatError) {
        // A shape error names the field; a malformed amount's message quotes the vendor's text, which stays out.
        const what =
          error instanceof VendorShapeError ? error.message : 'an amount is not a number in the expected form';
        throw new SourceError(
          'SOURCE_BAD_RESPONSE',
          `source "${this.source}" sent a response the gateway cannot read: ${what}`,
          {
            source: this.source,
            retryable: false,
            cause: error,
          },
        );
      }
      throw error;
    }
  }

  /**
   * Sends a request; identical GETs already in flight share one upstream call. Refused at once,
   * without a call, when the request scope's operation has ended.
   */
  async send(request: HttpRequest): Promise<HttpResponse> {
    throwIfEnded(this.source);
    return this.#send(request, this.#target(request));
  }

  /** Closes the sockets, aborting calls still in flight (at shutdown nobody waits for them any more). */
  async close(): Promise<void> {
    await this.#pool.destroy();
  }

  #target(request: HttpRequest): string {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(request.query ?? {})) {
      if (value === undefined || value === null) continue;
      if (Array.isArray(value)) for (const item of value) search.append(name, item);
      else search.append(name, String(value));
    }
    const query = search.toString();
    return `${this.#basePath}${request.path}${query ? `?${query}` : ''}`;
  }

  async #attempt(request: HttpRequest, target: string, signal: AbortSignal): Promise<HttpResponse> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      'accept-encoding': 'gzip, deflate, br',
      ...request.headers,
    };
    const requestId = currentRequestId();
    if (this.#options.requestIdHeader && requestId !== undefined) headers[this.#options.requestIdHeader] = requestId;
    // Raced with the deadline: a token endpoint that hangs and ignores the signal must not hold the call.
    if (this.#options.authorize)
      Object.assign(headers, await untilAborted(Promise.resolve(this.#options.authorize(signal)), signal));
    let body: string | undefined;
    if (request.body && 'json' in request.body) {
      body = JSON.stringify(request.body.json);
      headers['content-type'] = 'application/json';
    } else if (request.body && 'form' in request.body) {
      body = new URLSearchParams(request.body.form).toString();
      headers['content-type'] = 'application/x-www-form-urlencoded';
    }
    // The last moment before a request leaves: nothing goes out for an ended operation or past its budget.
    throwIfEnded(this.source);
    chargeUpstreamCall(this.source);
    this.#calls += 1;
    const response = await this.#pool.request({ method: request.method, path: target, headers, body, signal });
    return readCappedBody(response, this.#transport.maxResponseBytes, this.source);
  }
}
