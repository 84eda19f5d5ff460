/** `server.metrics`: the Prometheus endpoint. */
export interface MetricsConfig {
  /** Serve `/metrics` and keep the series. Default true. */
  readonly enabled: boolean;
  /** Serve `/metrics` on this port of `server.host` instead of the main port (then not on the main one); 0 picks a free port. Default null. */
  readonly port: number | null;
  /**
   * Operation names that may appear as the `name` label; any other named operation is counted as
   * `other`. The names of the persisted operations (`server.persistedOperations`) are always allowed.
   */
  readonly operationNames: readonly string[];
}

/** `server.telemetry`: OpenTelemetry traces. */
export interface TelemetryConfig {
  /**
   * OTLP/HTTP base URL of a collector (`http://collector:4318`); spans go to `<url>/v1/traces`.
   * Null: the standard `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) decides;
   * with neither, tracing is off and nothing is exported.
   */
  readonly otlpEndpoint: string | null;
  /** The `service.name` resource attribute of every span. Default `balance-gateway`. */
  readonly serviceName: string;
}

export const DEFAULT_METRICS: MetricsConfig = { enabled: true, port: null, operationNames: [] };
export const DEFAULT_TELEMETRY: TelemetryConfig = { otlpEndpoint: null, serviceName: 'balance-gateway' };
