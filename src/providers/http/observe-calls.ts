import { AsyncLocalStorage } from 'node:async_hooks';
import { type Attributes, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { GatewayError } from '../../errors.ts';
import { activeTraceContext, isObserving, runInTraceContext, type Telemetry } from '../../telemetry/index.ts';
import type { CircuitBreaker } from './circuit-breaker.ts';
import type { Attempt, SendCall } from './types.ts';

export interface ObserveCallsOptions {
  readonly source: string;
  readonly breaker: CircuitBreaker;
  /** The connector's route templates (`/balances/{id}`), tried in order for a request without `route`. */
  readonly routes?: readonly string[];
  readonly telemetry?: Telemetry;
}

/** What the attempts of one observed call tell it: how many went out, the last status, the trace headers to send. */
interface CallRecord {
  attempts: number;
  status: number | undefined;
  readonly headers: Record<string, string> | undefined;
}

const calls = new AsyncLocalStorage<CallRecord>();

/**
 * Observes each vendor call, retries included: `balance_gateway_vendor_calls_total` and the
 * latency histogram, and a CLIENT span (child of the operation's) whose context goes to the vendor
 * as `traceparent` on every attempt. The kind of call is the method and a route template, never
 * the concrete path: ids stay out of labels and spans, and so does the vendor's URL and body.
 * Without telemetry the call goes straight through.
 */
export function observeCalls(options: ObserveCallsOptions, send: SendCall): SendCall {
  const { telemetry, source, breaker } = options;
  if (!isObserving(telemetry)) return send;
  const routeOf = createRouteMatcher(options.routes ?? []);
  const { metrics, tracing } = telemetry;
  return async (request, target, permit) => {
    const route = request.route ?? routeOf(request.path);
    const call = `${request.method} ${route}`;
    const started = performance.now();
    const parent = activeTraceContext();
    const span = tracing?.tracer.startSpan(
      call,
      { kind: SpanKind.CLIENT, attributes: callAttributes(source, request.method, route, breaker) },
      parent,
    );
    const context = span === undefined ? undefined : trace.setSpan(parent, span);
    const headers: Record<string, string> | undefined = context === undefined ? undefined : {};
    if (context !== undefined && headers !== undefined) tracing?.inject(context, headers);
    const record: CallRecord = { attempts: 0, status: undefined, headers };
    let outcome = 'ok';
    try {
      const run = () => calls.run(record, () => send(request, target, permit));
      return await (context === undefined ? run() : runInTraceContext(context, run));
    } catch (error) {
      outcome = error instanceof GatewayError ? error.code : 'SOURCE_UNAVAILABLE';
      throw error;
    } finally {
      metrics?.vendorCalls.inc({ source, call, outcome });
      metrics?.vendorCallSeconds.observe({ source }, (performance.now() - started) / 1000);
      if (span !== undefined) {
        if (record.status !== undefined) span.setAttribute('http.response.status_code', record.status);
        if (record.attempts > 1) span.setAttribute('http.request.resend_count', record.attempts - 1);
        span.setAttribute('balance_gateway.outcome', outcome);
        // The code only: an error's message or cause could quote the vendor.
        if (outcome !== 'ok') {
          span.setAttribute('error.type', outcome);
          span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
        }
        span.end();
      }
    }
  };
}

/** Counts the attempts of the observed call it runs in, notes their status and sends the call's trace headers. */
export function observeAttempts(telemetry: Telemetry | undefined, attempt: Attempt): Attempt {
  if (!isObserving(telemetry)) return attempt;
  return async (request, target, signal) => {
    const record = calls.getStore();
    if (record === undefined) return attempt(request, target, signal);
    record.attempts += 1;
    const sent =
      record.headers === undefined ? request : { ...request, headers: { ...request.headers, ...record.headers } };
    const response = await attempt(sent, target, signal);
    record.status = response.status;
    return response;
  };
}

function callAttributes(source: string, method: string, route: string, breaker: CircuitBreaker): Attributes {
  return {
    'balance_gateway.source': source,
    'balance_gateway.call': `${method} ${route}`,
    'http.request.method': method,
    'url.template': route,
    'balance_gateway.breaker.state': breaker.snapshot().state,
  };
}

/**
 * A path's route template: the first of `templates` whose segments match (`{name}` matches any one
 * segment), else `other`. Only a declared template can come out, so no id ever becomes a label.
 */
export function createRouteMatcher(templates: readonly string[]): (path: string) => string {
  const patterns = templates.map((template) => ({
    template,
    pattern: new RegExp(
      `^${template
        .split('/')
        .map((segment) => (/^\{[^}]+\}$/.test(segment) ? '[^/]+' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('/')}$`,
    ),
  }));
  return (path) => patterns.find(({ pattern }) => pattern.test(path))?.template ?? 'other';
}
