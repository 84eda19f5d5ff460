import type { ConfigFields } from '../config-fields.ts';
import { ConfigError } from '../errors.ts';
import { DEFAULT_METRICS, DEFAULT_TELEMETRY, type MetricsConfig, type TelemetryConfig } from './telemetry-config.ts';

/**
 * `server.metrics` and `server.telemetry` (README "Metrics and traces"). The metrics port must
 * differ from the main one (0, a free port, always does); an OTLP endpoint is an http(s) base URL.
 */
export function parseObservability(
  server: ConfigFields | undefined,
  mainPort: number,
): { metrics: MetricsConfig; telemetry: TelemetryConfig } {
  const metrics = server?.optionalObject('metrics');
  metrics?.only(['enabled', 'port', 'operationNames']);
  const metricsPort = metrics?.optionalInteger('port', 0, 65535) ?? null;
  if (metricsPort !== null && metricsPort !== 0 && metricsPort === mainPort)
    throw new ConfigError(
      `${metrics?.path('port')}: must differ from server.port (or leave it out to serve /metrics there)`,
    );
  const operationNames = metrics?.has('operationNames')
    ? metrics.array('operationNames').map((name, index) => {
        if (typeof name !== 'string' || !/^[_A-Za-z][_0-9A-Za-z]{0,99}$/.test(name))
          throw new ConfigError(`${metrics.path('operationNames')}[${index}]: must be a GraphQL operation name`);
        return name;
      })
    : DEFAULT_METRICS.operationNames;
  const telemetry = server?.optionalObject('telemetry');
  telemetry?.only(['otlpEndpoint', 'serviceName']);
  return {
    metrics: {
      enabled: metrics?.optionalBoolean('enabled') ?? DEFAULT_METRICS.enabled,
      port: metricsPort,
      operationNames,
    },
    telemetry: {
      otlpEndpoint: telemetry?.has('otlpEndpoint') ? telemetry.url('otlpEndpoint') : DEFAULT_TELEMETRY.otlpEndpoint,
      serviceName: telemetry?.optionalString('serviceName') ?? DEFAULT_TELEMETRY.serviceName,
    },
  };
}
