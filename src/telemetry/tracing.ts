import { type Context, ROOT_CONTEXT, type TextMapGetter, type Tracer } from '@opentelemetry/api';
import { loadOnFirstUse } from '../load-on-first-use.ts';
import type { TelemetryConfig } from './telemetry-config.ts';

// The SDK and its exporter only when traces are exported.
const otelCore = loadOnFirstUse<typeof import('@opentelemetry/core')>('@opentelemetry/core');
const otlpExporter = loadOnFirstUse<typeof import('@opentelemetry/exporter-trace-otlp-http')>(
  '@opentelemetry/exporter-trace-otlp-http',
);
const otelResources = loadOnFirstUse<typeof import('@opentelemetry/resources')>('@opentelemetry/resources');
const otelSdk = loadOnFirstUse<typeof import('@opentelemetry/sdk-trace')>('@opentelemetry/sdk-trace');

/** The gateway's traces: a tracer of its own provider, W3C trace context in and out. */
export interface Tracing {
  readonly tracer: Tracer;
  /** The caller's trace context from its `traceparent` (and `tracestate`); the root context when absent or malformed. */
  extract(headers: Headers): Context;
  /** Writes `traceparent` (and `tracestate`) for `context` into `headers`. */
  inject(context: Context, headers: Record<string, string>): void;
  /** Exports the spans still buffered, then stops. */
  shutdown(): Promise<void>;
}

/** Longest wait for one export, so a collector that hangs cannot hold a shutdown for long. */
const EXPORT_TIMEOUT_MS = 5000;

const headerGetter: TextMapGetter<Headers> = {
  get: (headers, key) => headers.get(key) ?? undefined,
  keys: (headers) => [...headers.keys()],
};

/**
 * Tracing when an OTLP endpoint is configured (`server.telemetry.otlpEndpoint`, or the standard
 * `OTEL_EXPORTER_OTLP_ENDPOINT` / `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`, which the exporter reads
 * itself); null otherwise, and then no span is ever made. Spans go out in batches as OTLP/HTTP
 * JSON. The provider is the gateway's own, never registered globally (see trace-context.ts).
 */
export function createTracing(config: TelemetryConfig, env: NodeJS.ProcessEnv = process.env): Tracing | null {
  const fromEnv = Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT);
  if (config.otlpEndpoint === null && !fromEnv) return null;
  const { OTLPTraceExporter } = otlpExporter();
  const { BatchSpanProcessor, TracerProvider } = otelSdk();
  const exporter = new OTLPTraceExporter({
    timeoutMillis: EXPORT_TIMEOUT_MS,
    ...(config.otlpEndpoint === null ? {} : { url: `${config.otlpEndpoint.replace(/\/+$/, '')}/v1/traces` }),
  });
  const provider = new TracerProvider({
    resource: otelResources().resourceFromAttributes({ 'service.name': config.serviceName }),
    spanProcessors: [new BatchSpanProcessor({ exporter, exportTimeoutMillis: EXPORT_TIMEOUT_MS })],
  });
  const propagator = new (otelCore().W3CTraceContextPropagator)();
  return {
    tracer: provider.getTracer('balance-gateway'),
    extract: (headers) => propagator.extract(ROOT_CONTEXT, headers, headerGetter),
    inject: (context, headers) =>
      propagator.inject(context, headers, {
        set: (carrier, key, value) => {
          carrier[key] = value;
        },
      }),
    shutdown: () => provider.shutdown(),
  };
}
