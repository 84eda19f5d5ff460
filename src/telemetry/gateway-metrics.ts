import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** A source's circuit breaker as the gauge reads it (providers/http/circuit-breaker.ts). */
export interface BreakerReading {
  snapshot(): { readonly state: string };
}

/** Admission control as the gauges read it (plugins/admission-gate.ts). */
export interface AdmissionReading {
  /** Requests it lets run at once now: maxConcurrentRequests, or sheddingConcurrentRequests while shedding. */
  readonly slots: number;
  /** Requests waiting for a slot. */
  readonly queued: number;
}

const BREAKER_STATES = ['CLOSED', 'OPEN', 'HALF_OPEN'] as const;
const PREFIX = 'balance_gateway_';

/** Process metrics (CPU, memory, event loop, GC) are the process's: one registry, however many gateways run in it. */
let processRegistry: Registry | undefined;
function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

/**
 * The gateway's Prometheus series, in a registry of its own (two gateways in one process never
 * share a series). Every label value is bounded: configured source names, route templates the
 * connectors declare, fixed outcome codes, operation names from an allow-list. Series names and
 * labels: README "Metrics and traces".
 */
export class GatewayMetrics {
  readonly #registry = new Registry();
  readonly operations: Counter<'type' | 'name' | 'outcome'>;
  readonly operationSeconds: Histogram<'type' | 'name'>;
  readonly operationsInFlight: Gauge;
  readonly vendorCalls: Counter<'source' | 'call' | 'outcome'>;
  readonly vendorCallSeconds: Histogram<'source'>;
  readonly admissionRefusals: Counter;
  readonly limitRefusals: Counter<'limit'>;
  /** The server's admission control, once it exists (`watchAdmission`). */
  #admission: AdmissionReading | undefined;

  constructor(breakers: ReadonlyMap<string, BreakerReading>) {
    const admission = () => this.#admission;
    const registers = [this.#registry];
    processMetrics();
    this.operations = new Counter({
      name: `${PREFIX}operations_total`,
      help: 'GraphQL operations answered, by operation type, name (allow-listed, else anonymous or other) and outcome (ok, or the first error code)',
      labelNames: ['type', 'name', 'outcome'],
      registers,
    });
    this.operationSeconds = new Histogram({
      name: `${PREFIX}operation_duration_seconds`,
      help: 'Time from a GraphQL request arriving to its answer, admission queue included',
      labelNames: ['type', 'name'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 15, 30],
      registers,
    });
    this.operationsInFlight = new Gauge({
      name: `${PREFIX}operations_in_flight`,
      help: 'GraphQL requests being handled (admission queue included)',
      registers,
    });
    this.vendorCalls = new Counter({
      name: `${PREFIX}vendor_calls_total`,
      help: 'Vendor calls (retries inside one call), by source, kind of call (method and route template) and outcome (ok, or extensions.code)',
      labelNames: ['source', 'call', 'outcome'],
      registers,
    });
    this.vendorCallSeconds = new Histogram({
      name: `${PREFIX}vendor_call_duration_seconds`,
      help: 'Duration of one vendor call, retries and their pauses included, by source',
      labelNames: ['source'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.admissionRefusals = new Counter({
      name: `${PREFIX}admission_refusals_total`,
      help: 'Requests shed by admission control (HTTP 503, OVERLOADED)',
      registers,
    });
    this.limitRefusals = new Counter({
      name: `${PREFIX}limit_refusals_total`,
      help: 'Errors of a configured operation limit, by extensions.limit',
      labelNames: ['limit'],
      registers,
    });
    // Read at every scrape from admission control, once the server has handed it over.
    const admissionGauge = (name: string, help: string, read: (reading: AdmissionReading) => number) =>
      new Gauge({
        name: `${PREFIX}${name}`,
        help,
        registers,
        collect() {
          const reading = admission();
          if (reading !== undefined) this.set(read(reading));
        },
      });
    admissionGauge(
      'admission_slots',
      'Requests to /graphql admission control lets run at once now: server.maxConcurrentRequests, or server.sheddingConcurrentRequests while it sheds load',
      (reading) => reading.slots,
    );
    admissionGauge(
      'admission_queued',
      'Requests to /graphql waiting for an admission slot',
      (reading) => reading.queued,
    );
    new Gauge({
      name: `${PREFIX}source_breaker_state`,
      help: "Each source's circuit breaker: 1 for its current state (CLOSED, OPEN, HALF_OPEN), 0 for the others",
      labelNames: ['source', 'state'],
      registers,
      collect() {
        for (const [source, breaker] of breakers) {
          const current = breaker.snapshot().state;
          for (const state of BREAKER_STATES) this.set({ source, state }, state === current ? 1 : 0);
        }
      },
    });
  }

  /** Reads `reading` at every scrape into the admission gauges. */
  watchAdmission(reading: AdmissionReading): void {
    this.#admission = reading;
  }

  readonly contentType = Registry.PROMETHEUS_CONTENT_TYPE;

  /** The Prometheus text exposition: the gateway's series, then the process's. */
  async text(): Promise<string> {
    return `${await this.#registry.metrics()}\n${await processMetrics().metrics()}`;
  }
}
