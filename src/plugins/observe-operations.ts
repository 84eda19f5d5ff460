import { type Context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { type DocumentNode, getOperationAST, Kind, parse } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { answerMetrics, isObserving, METRICS_PATH, runInTraceContext, type Telemetry } from '../telemetry/index.ts';

/** The path yoga serves GraphQL on; server.ts keeps yoga's default. */
const GRAPHQL_ENDPOINT = '/graphql';
/** An `extensions.code` or `extensions.limit` the gateway or yoga set: a fixed vocabulary, never caller text. */
const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
const LIMIT = /^[a-zA-Z]{1,32}$/;
const MAX_NAME = 128;

export interface ObserveOperationsOptions {
  readonly telemetry: Telemetry;
  /** Serve `/metrics` on this server (false when `server.metrics.port` gives it a port of its own). */
  readonly serveMetrics: boolean;
  /** `server.metrics.operationNames`: names that may be a label value. */
  readonly operationNames: readonly string[];
  /** The persisted operations' texts, whose operation names are allowed labels too. */
  readonly persistedOperations: Iterable<string>;
}

interface OperationState {
  operationName?: string | null;
  document?: DocumentNode;
  /** Set once the request produced a GraphQL result: only such requests count as operations. */
  outcome?: string;
  status?: number;
}

/**
 * Operation metrics and spans, and `/metrics` on the main port. Each GraphQL request to
 * `/graphql` that gets a GraphQL answer counts once in `balance_gateway_operations_total` by type,
 * name and outcome; the `name` label is the operation's name only when it is allow-listed
 * (`operationNames`, persisted operations), else `anonymous` (no name) or `other`, so a caller
 * cannot mint series. Its span is a SERVER span, child of the caller's `traceparent`, parent of
 * every vendor call's span (providers/http/observe-calls.ts). A request shed by admission (503)
 * counts in `balance_gateway_admission_refusals_total`; an error with `extensions.limit` in
 * `balance_gateway_limit_refusals_total`. No query text, variable or id reaches a label or span.
 */
export function useObservedOperations(options: ObserveOperationsOptions): Plugin {
  const { telemetry } = options;
  const { metrics, tracing } = telemetry;
  const allowed = new Set([...options.operationNames, ...operationNamesOf(options.persistedOperations)]);
  const states = new WeakMap<Request, OperationState>();
  const stateOf = (request: Request | undefined) => (request === undefined ? undefined : states.get(request));
  const graphqlRequest = (request: Request) => request.method !== 'OPTIONS' && pathOf(request.url) === GRAPHQL_ENDPOINT;

  const finish = (state: OperationState, seconds: number, span: Span | undefined) => {
    const operation = state.document ? getOperationAST(state.document, state.operationName ?? undefined) : null;
    const type = operation?.operation ?? 'unknown';
    const name = operation?.name?.value;
    const label = name === undefined ? 'anonymous' : allowed.has(name) ? name : 'other';
    if (state.outcome !== undefined) {
      metrics?.operations.inc({ type, name: label, outcome: state.outcome });
      metrics?.operationSeconds.observe({ type, name: label }, seconds);
    } else if (state.status === 503) metrics?.admissionRefusals.inc();
    if (span === undefined) return;
    // A request that never became an operation (GraphiQL's page, a shed one) keeps its HTTP name.
    if (state.outcome !== undefined) span.updateName(`${type} ${label}`);
    span.setAttribute('graphql.operation.type', type);
    // The caller's name, bounded: spans are not aggregated, but a name may be as long as the body allows.
    if (name !== undefined) span.setAttribute('graphql.operation.name', name.slice(0, MAX_NAME));
    const outcome = state.outcome ?? (state.status === 503 ? 'OVERLOADED' : 'none');
    span.setAttribute('balance_gateway.outcome', outcome);
    if (state.status !== undefined) span.setAttribute('http.response.status_code', state.status);
    if (outcome !== 'ok' && outcome !== 'none') span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
    span.end();
  };

  return {
    instrumentation: {
      async request({ request }, wrapped) {
        if (!graphqlRequest(request)) return wrapped();
        const state: OperationState = {};
        states.set(request, state);
        const started = performance.now();
        metrics?.operationsInFlight.inc();
        // The caller's trace context: the operation's span is a child of the caller's span.
        const parent: Context | undefined = tracing?.extract(request.headers);
        const span =
          tracing === null || parent === undefined
            ? undefined
            : tracing.tracer.startSpan(
                `${request.method === 'GET' ? 'GET' : 'POST'} ${GRAPHQL_ENDPOINT}`,
                {
                  kind: SpanKind.SERVER,
                  attributes: { 'http.request.method': request.method, 'url.path': GRAPHQL_ENDPOINT },
                },
                parent,
              );
        try {
          await (span === undefined || parent === undefined
            ? wrapped()
            : runInTraceContext(trace.setSpan(parent, span), wrapped));
        } finally {
          metrics?.operationsInFlight.dec();
          finish(state, (performance.now() - started) / 1000, span);
        }
      },
    },
    async onRequest({ request, url, endResponse, fetchAPI }) {
      if (!options.serveMetrics || metrics === null || url.pathname !== METRICS_PATH) return;
      const answer = await answerMetrics(metrics, request.method, (name) => request.headers.get(name));
      endResponse(new fetchAPI.Response(answer.body, { status: answer.status, headers: answer.headers }));
    },
    onParams({ request, params }) {
      const state = stateOf(request);
      if (state) state.operationName = params.operationName;
    },
    onParse({ context }) {
      const state = stateOf((context as { request?: Request }).request);
      if (state === undefined) return;
      return ({ result }) => {
        if (result !== null && typeof result === 'object' && (result as DocumentNode).kind === Kind.DOCUMENT)
          state.document = result as DocumentNode;
      };
    },
    onResultProcess({ request, result }) {
      const state = stateOf(request);
      if (state === undefined || Array.isArray(result) || Symbol.asyncIterator in result) return;
      const errors = result.errors ?? [];
      const first = errors[0]?.extensions?.code;
      state.outcome = errors.length === 0 ? 'ok' : typeof first === 'string' && CODE.test(first) ? first : 'UNCODED';
      for (const error of errors) {
        const limit = error.extensions?.limit;
        if (typeof limit === 'string' && LIMIT.test(limit)) metrics?.limitRefusals.inc({ limit });
      }
    },
    onResponse({ request, response }) {
      const state = stateOf(request);
      if (state) state.status = response.status;
    },
  };
}

/** Whether `telemetry` needs the plugin at all. */
export const needsObservedOperations = isObserving;

function pathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  const end = url.indexOf('?', start);
  return start < 0 ? '/' : url.slice(start, end < 0 ? undefined : end);
}

/** The operation names in the persisted documents (each parsed once, at start). */
function operationNamesOf(texts: Iterable<string>): string[] {
  const names: string[] = [];
  for (const text of texts) {
    try {
      for (const definition of parse(text).definitions)
        if (definition.kind === Kind.OPERATION_DEFINITION && definition.name) names.push(definition.name.value);
    } catch {
      // A document that does not parse runs nowhere; it names nothing.
    }
  }
  return names;
}
