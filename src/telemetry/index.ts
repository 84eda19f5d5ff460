import { type BreakerReading, GatewayMetrics } from './gateway-metrics.ts';
import type { MetricsConfig, TelemetryConfig } from './telemetry-config.ts';
import { createTracing, type Tracing } from './tracing.ts';

export { GatewayMetrics } from './gateway-metrics.ts';
export { answerMetrics, listenForMetrics, METRICS_PATH } from './metrics-endpoint.ts';
export { activeTraceContext, runInTraceContext } from './trace-context.ts';
export { DEFAULT_METRICS, DEFAULT_TELEMETRY, type MetricsConfig, type TelemetryConfig } from './telemetry-config.ts';
export type { Tracing } from './tracing.ts';

/**
 * What one gateway observes: its metrics (null when `server.metrics.enabled` is false) and its
 * traces (null unless an OTLP endpoint is set). With both null nothing is hooked in at all.
 */
export interface Telemetry {
  readonly metrics: GatewayMetrics | null;
  readonly tracing: Tracing | null;
  /**
   * Exports the spans still buffered (for at most the export timeout). Never rejects: a collector
   * that is down must not fail a shutdown; `onExportError` hears of it.
   */
  shutdown(): Promise<void>;
}

export interface TelemetryOptions {
  /** Told when the last spans could not be exported at shutdown, with the error's code only (`ECONNREFUSED`). */
  readonly onExportError?: (code: string) => void;
}

export function createTelemetry(
  config: { readonly metrics: MetricsConfig; readonly telemetry: TelemetryConfig },
  breakers: ReadonlyMap<string, BreakerReading>,
  options: TelemetryOptions = {},
): Telemetry {
  const tracing = createTracing(config.telemetry);
  return {
    metrics: config.metrics.enabled ? new GatewayMetrics(breakers) : null,
    tracing,
    shutdown: async () => {
      await tracing?.shutdown().catch((error: unknown) => {
        const code = (error as { code?: unknown } | null)?.code;
        options.onExportError?.(typeof code === 'string' ? code : 'export failed');
      });
    },
  };
}

/** Whether anything observes at all: when not, no hook is installed and a request pays nothing. */
export function isObserving(telemetry: Telemetry | undefined): telemetry is Telemetry {
  return telemetry !== undefined && (telemetry.metrics !== null || telemetry.tracing !== null);
}
