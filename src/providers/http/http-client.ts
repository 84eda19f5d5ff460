import { pipeline, type Readable, type Transform } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { Pool } from 'undici';
import { SourceError, sourceErrorForStatus } from '../../errors.ts';
import { MoneyFormatError } from '../../money.ts';
import { currentRequestId } from '../../request-scope.ts';
import { parseLosslessJson, VendorShapeError } from '../json.ts';
import { createSourceTransport, type SourceTransport } from './source-transport.ts';

export type QueryValue = string | number | boolean | undefined | null | readonly string[];

export interface HttpRequest {
  method: 'GET' | 'POST';
  /** Path below the base URL's own path, starting with `/`. Segments must already be encoded. */
  path: string;
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  /** A JSON body (serialised here) or a form body. */
  body?: { json: unknown } | { form: Record<string, string> };
  /** Statuses other than 2xx the caller handles itself (typically 404). */
  accept?: readonly number[];
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
  /** Keep-alive connections to the vendor. Default 16. */
  connections?: number;
  /** Retries of an idempotent call after a retryable failure; overrides the transport's (a token endpoint uses 0). */
  retries?: number;
  /** A header that carries the gateway's request id to the vendor (Midaz logs `X-Request-Id`). */
  requestIdHeader?: string;
  /** Headers for every call (credentials). Called per attempt so tokens can refresh. */
  authorize?: (signal: AbortSignal) => Promise<Record<string, string>> | Record<string, string>;
}

/**
 * One vendor's HTTP client: an undici Pool with keep-alive, a per-call deadline, retries of
 * idempotent calls with jittered backoff, the source's circuit breaker, a response size cap that
 * also holds after decompression, redirects never followed (a 3xx is an unexpected status), TLS
 * verified as Node does by default (no option here relaxes it), and identical GETs in flight
 * made once. Errors are SourceErrors that name the source only.
 */
export class HttpClient {
  readonly source: string;
  readonly #pool: Pool;
  readonly #basePath: string;
  readonly #options: HttpClientOptions;
  readonly #transport: SourceTransport;
  readonly #inflight = new Map<string, Promise<HttpResponse>>();
  #calls = 0;

  constructor(options: HttpClientOptions) {
    const url = new URL(options.baseUrl);
    this.source = options.source;
    this.#options = options;
    this.#transport = options.transport ?? createSourceTransport(options.source);
    this.#basePath = url.pathname.replace(/\/+$/, '');
    this.#pool = new Pool(url.origin, {
      connections: options.connections ?? 16,
      keepAliveTimeout: 30_000,
      // The call's own deadline (an AbortSignal) decides; these only back it up, so they never win the race.
      headersTimeout: options.timeoutMs + 1000,
      bodyTimeout: options.timeoutMs + 1000,
    });
  }

  /** How many HTTP calls this client has started (retries included). */
  get calls(): number {
    return this.#calls;
  }

  /** Sends a request and returns its JSON body, parsed losslessly. Non-2xx statuses not in `accept` throw. */
  async json(request: HttpRequest): Promise<JsonResponse> {
    const response = await this.send(request);
    if (response.status === 204 || response.text === '') return { status: response.status, body: null };
    return { status: response.status, body: this.decode(() => parseLosslessJson(response.text)) };
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

  /** Sends a request; identical GETs already in flight share one upstream call. */
  async send(request: HttpRequest): Promise<HttpResponse> {
    const target = this.#target(request);
    if (request.method !== 'GET' || request.body !== undefined) return this.#sendWithRetries(request, target);
    const key = `${target}\n${JSON.stringify(request.headers ?? {})}\n${(request.accept ?? []).join(',')}`;
    const existing = this.#inflight.get(key);
    if (existing) return existing;
    const pending = this.#sendWithRetries(request, target).finally(() => this.#inflight.delete(key));
    this.#inflight.set(key, pending);
    return pending;
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

  /** One call through the circuit breaker: refused at once while it is open, its outcome reported after retries. */
  async #sendWithRetries(request: HttpRequest, target: string): Promise<HttpResponse> {
    const report = this.#transport.breaker.admit();
    try {
      const response = await this.#retrying(request, target);
      report('success');
      return response;
    } catch (error) {
      const code = error instanceof SourceError ? error.code : 'SOURCE_UNAVAILABLE';
      report(
        code === 'SOURCE_UNAVAILABLE' || code === 'SOURCE_TIMEOUT' || code === 'SOURCE_RATE_LIMITED'
          ? 'failure'
          : 'neutral',
      );
      throw error;
    }
  }

  async #retrying(request: HttpRequest, target: string): Promise<HttpResponse> {
    const signal = AbortSignal.timeout(this.#options.timeoutMs);
    const deadline = Date.now() + this.#options.timeoutMs;
    const retries = request.method === 'GET' ? (this.#options.retries ?? this.#transport.retries) : 0;
    for (let attempt = 0; ; attempt += 1) {
      try {
        const response = await this.#attempt(request, target, signal);
        const ok = (response.status >= 200 && response.status < 300) || request.accept?.includes(response.status);
        if (ok) return response;
        throw Object.assign(sourceErrorForStatus(this.source, response.status), {
          retryAfter: response.headers['retry-after'],
        });
      } catch (error) {
        const failure = this.#toSourceError(error, signal);
        const pause = backoff(attempt, failure);
        // A Retry-After that does not fit inside the deadline is not waited for: the call fails now.
        if (attempt >= retries || !failure.retryable || Date.now() + pause >= deadline) throw failure;
        await sleep(pause, signal).catch(() => {
          throw this.#toSourceError(signal.reason, signal);
        });
      }
    }
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
    this.#calls += 1;
    const response = await this.#pool.request({ method: request.method, path: target, headers, body, signal });
    const limit = this.#transport.maxResponseBytes;
    const declared = Number(response.headers['content-length'] ?? 0);
    if (declared > limit) {
      discard(response.body);
      throw this.#oversize();
    }
    const encoding = String(response.headers['content-encoding'] ?? 'identity')
      .trim()
      .toLowerCase();
    const decoder = decompressorFor(encoding);
    if (decoder === undefined) {
      discard(response.body);
      throw this.#badResponse('a body in an encoding the gateway did not ask for');
    }
    // The cap counts decoded bytes, so a small compressed body cannot expand past it (a zip bomb).
    const decoded: Readable = decoder === null ? response.body : pipeline(response.body, decoder, () => {});
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of decoded) {
        size += (chunk as Buffer).length;
        if (size > limit) throw this.#oversize();
        chunks.push(chunk as Buffer);
      }
    } catch (error) {
      discard(decoded);
      discard(response.body);
      // zlib's codes are Z_*, brotli's ERR__ERROR_* / ERR_BROTLI*: a body that does not decompress.
      if (
        typeof (error as { code?: unknown }).code === 'string' &&
        /^(Z_|ERR__ERROR_|ERR_BROTLI)/.test((error as { code: string }).code)
      ) {
        throw this.#badResponse('a compressed body that does not decompress');
      }
      throw error;
    }
    return { status: response.statusCode, headers: response.headers, text: Buffer.concat(chunks).toString('utf8') };
  }

  #badResponse(what: string): SourceError {
    return new SourceError('SOURCE_BAD_RESPONSE', `source "${this.source}" sent ${what}`, {
      source: this.source,
      retryable: false,
    });
  }

  #oversize(): SourceError {
    return this.#badResponse(`a response larger than the gateway accepts (${this.#transport.maxResponseBytes} bytes)`);
  }

  #toSourceError(error: unknown, signal: AbortSignal): SourceError {
    if (error instanceof SourceError) return error;
    const code = (error as { code?: unknown } | null)?.code;
    if (signal.aborted || code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') {
      return new SourceError(
        'SOURCE_TIMEOUT',
        `source "${this.source}" did not answer within ${this.#options.timeoutMs} ms`,
        {
          source: this.source,
          retryable: false,
          cause: error,
        },
      );
    }
    return new SourceError('SOURCE_UNAVAILABLE', `source "${this.source}" could not be reached`, {
      source: this.source,
      cause: error,
    });
  }
}

/** Drops a body we will not read; undici's body reports its own abort as an error, which must not go unhandled. */
function discard(body: Readable): void {
  body.on('error', () => {});
  body.destroy();
}

/** The decoder of a response's content-encoding: null for none, undefined for one we never asked for. */
function decompressorFor(encoding: string): Transform | null | undefined {
  if (encoding === 'identity' || encoding === '') return null;
  if (encoding === 'gzip' || encoding === 'x-gzip') return createGunzip();
  if (encoding === 'deflate') return createInflate();
  if (encoding === 'br') return createBrotliDecompress();
  return undefined;
}

/** Jittered exponential backoff; a Retry-After (seconds or an HTTP date) wins when it is given. */
function backoff(attempt: number, failure: SourceError & { retryAfter?: unknown }, now = Date.now()): number {
  const header = typeof failure.retryAfter === 'string' ? failure.retryAfter.trim() : '';
  if (/^\d+$/.test(header)) return Number(header) * 1000;
  const date = header === '' ? Number.NaN : Date.parse(header);
  if (Number.isFinite(date)) return Math.max(0, date - now);
  const base = 50 * 2 ** attempt;
  return base / 2 + Math.random() * base;
}

/** Settles as `promise` does, or rejects with the signal's reason as soon as the signal aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const abort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', abort);
      resolve();
    }, ms);
    signal.addEventListener('abort', abort, { once: true });
  });
}
