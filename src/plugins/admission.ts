import type { ServerResponse } from 'node:http';
import type { Plugin } from 'graphql-yoga';
import { GatewayError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { AdmissionReading } from '../telemetry/gateway-metrics.ts';
import type { AdmissionConfig } from './admission-config.ts';
import { AdmissionGate, type AdmissionLimits, type AdmissionOutcome } from './admission-gate.ts';

/** The path yoga serves GraphQL (and GraphiQL) on; server.ts keeps yoga's default. */
const GRAPHQL_ENDPOINT = '/graphql';
/** At most one "shedding" warning per this many milliseconds, counting the refusals in between. */
const SHED_LOG_INTERVAL_MS = 10_000;

export interface Admission {
  /** Admits every request to the GraphQL endpoint before it is parsed or authenticated. */
  readonly plugin: Plugin;
  /**
   * yoga's `graphiql` option for these `options`: the GraphiQL page takes a slot like an
   * operation (it is a large page, and a horde of browsers must not bypass the bound); when it is
   * refused, the page is not rendered and the plugin answers 503 instead.
   */
  graphiql<T extends object>(options: T): (request: Request, ...context: unknown[]) => Promise<T | false>;
  /** The slots in force and the requests waiting, for the metrics. */
  readonly reading: AdmissionReading;
}

/**
 * The reason of every "client left" abort: the gate only asks whether the signal aborted, and a
 * reason-less abort() builds a DOMException, with its stack, on every response's close.
 */
const CLIENT_LEFT = new Error('the client left');

/**
 * Admission control and load shedding. Requests to the GraphQL endpoint (CORS preflights aside)
 * take one of `maxConcurrent` slots (`sheddingConcurrent` while shedding: AdmissionGate), or wait
 * in a FIFO queue of `maxQueued` for at most `queueTimeoutMs`; beyond the queue, or when the wait
 * runs out, the answer is at once HTTP 503 with `Retry-After` and an `OVERLOADED` error, before the
 * body is read, parsed or authenticated.
 * `/health`, `/ready` and unknown paths do no work and are never queued.
 *
 * A slot is held until yoga has finished with the request and its response has been handed to the
 * socket (or the socket has closed): a client that disconnects does not free a slot while its
 * operation still runs, and slow readers cannot pile answers up in memory beyond the bound; a
 * reader that makes no progress for `writeTimeoutMs` loses its connection, and the slot with it.
 */
export function createAdmission(settings: AdmissionConfig, logger: Logger): Admission {
  const { writeTimeoutMs } = settings;
  const limits: AdmissionLimits = {
    maxConcurrent: settings.maxConcurrentRequests,
    sheddingConcurrent: settings.sheddingConcurrentRequests,
    maxQueued: settings.maxQueuedRequests,
    queueTimeoutMs: settings.queueTimeoutMs,
  };
  const gate = new AdmissionGate(limits);
  const outcomes = new WeakMap<Request, AdmissionOutcome | Promise<AdmissionOutcome>>();
  /** What still holds each admitted request's slot: yoga's handling, and its response until closed. */
  const holds = new WeakMap<Request, { handling: boolean; response: ServerResponse | undefined }>();
  // A refused request would have waited at most queueTimeoutMs: retrying sooner meets the same queue.
  const retryAfter = String(Math.max(1, Math.ceil(limits.queueTimeoutMs / 1000)));
  const shed = { queueFull: 0, queueTimeout: 0, lastLogged: Number.NEGATIVE_INFINITY };

  const releaseIfDone = (request: Request) => {
    const hold = holds.get(request);
    if (hold === undefined || hold.handling || hold.response !== undefined) return;
    holds.delete(request);
    gate.release();
  };
  /** yoga is done with the request; its answer, if any, is being written. */
  const handled = (request: Request) => {
    const hold = holds.get(request);
    if (hold === undefined) return;
    hold.handling = false;
    // A client that stops reading would keep its slot: no progress writing for writeTimeoutMs closes it.
    hold.response?.setTimeout(writeTimeoutMs, () => hold.response?.destroy());
    releaseIfDone(request);
  };

  function admit(request: Request, serverContext: unknown): AdmissionOutcome | Promise<AdmissionOutcome> {
    const known = outcomes.get(request);
    if (known !== undefined) return known;
    const response = nodeResponseOf(serverContext);
    let left: AbortController | undefined;
    const hold = { handling: true, response };
    let queued = false;
    response?.once('close', () => {
      // Only a queued request has anyone listening (the gate); an abort dispatches an event even to nobody.
      if (queued) left?.abort(CLIENT_LEFT);
      hold.response = undefined;
      releaseIfDone(request);
    });
    const settled = (outcome: AdmissionOutcome) => {
      queued = false;
      outcomes.set(request, outcome);
      if (outcome === 'admitted') holds.set(request, hold);
      else record(outcome);
      return outcome;
    };
    const entered = gate.enter(() => {
      left = new AbortController();
      return left.signal;
    });
    if (typeof entered === 'string') return settled(entered);
    queued = true;
    logger.debug('request queued', { queued: gate.queued });
    const waited = entered.then((outcome) => {
      if (outcome === 'client-gone') logger.debug('client left while queued', { queued: gate.queued });
      return settled(outcome);
    });
    outcomes.set(request, waited);
    return waited;
  }

  function record(outcome: AdmissionOutcome) {
    if (outcome === 'queue-full') shed.queueFull += 1;
    if (outcome === 'queue-timeout') shed.queueTimeout += 1;
    if (outcome === 'client-gone') return;
    const now = Date.now();
    if (now - shed.lastLogged < SHED_LOG_INTERVAL_MS) return;
    logger.warn('shedding load: answering 503', {
      queueFull: shed.queueFull,
      queueTimeout: shed.queueTimeout,
      inFlight: gate.inFlight,
      queued: gate.queued,
      slots: gate.slots,
    });
    Object.assign(shed, { queueFull: 0, queueTimeout: 0, lastLogged: now });
  }

  const overloaded = (request: Request, fetchAPI: { Response: typeof Response }) => {
    const error = new GatewayError('OVERLOADED', `the gateway is at capacity; retry after ${retryAfter} s`);
    const accept = request.headers.get('accept') ?? '';
    return new fetchAPI.Response(JSON.stringify({ errors: [error.toJSON()] }), {
      status: 503,
      headers: {
        'content-type': accept.includes('application/graphql-response+json')
          ? 'application/graphql-response+json; charset=utf-8'
          : 'application/json; charset=utf-8',
        'retry-after': retryAfter,
        'cache-control': 'no-store',
      },
    });
  };

  return {
    plugin: {
      instrumentation: {
        // Runs around all of yoga's handling of a request, errors included, so a slot is never lost.
        async request({ request }, wrapped) {
          try {
            await wrapped();
          } finally {
            handled(request);
          }
        },
      },
      onRequest({ request, url, serverContext, endResponse, fetchAPI }) {
        if (request.method === 'OPTIONS' || url.pathname !== GRAPHQL_ENDPOINT) return;
        const outcome = admit(request, serverContext);
        const answer = (result: AdmissionOutcome) => {
          if (result !== 'admitted') endResponse(overloaded(request, fetchAPI));
        };
        if (typeof outcome === 'string') return answer(outcome);
        return outcome.then(answer);
      },
    },
    reading: gate,
    graphiql:
      (options) =>
      async (request, ...context) =>
        (await admit(request, context[0])) === 'admitted' ? options : false,
  };
}

/** The Node response behind a request, when yoga runs as a Node request listener (not `yoga.fetch`). */
function nodeResponseOf(serverContext: unknown): ServerResponse | undefined {
  const response = (serverContext as { res?: unknown } | undefined)?.res;
  return typeof response === 'object' && response !== null && 'once' in response
    ? (response as ServerResponse)
    : undefined;
}
