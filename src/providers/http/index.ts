/**
 * The HTTP client every connector talks to its vendor through, one concern per file: the client
 * and its pool (`http-client.ts`), the circuit breaker and the per-source settings that share it.
 */
export {
  type BreakerSettings,
  type BreakerSnapshot,
  type BreakerState,
  CircuitBreaker,
  DEFAULT_BREAKER,
} from './circuit-breaker.ts';
export {
  HttpClient,
  type HttpClientOptions,
  type HttpRequest,
  type HttpResponse,
  type JsonResponse,
  type QueryValue,
} from './http-client.ts';
export {
  createSourceTransport,
  DEFAULT_TRANSPORT,
  type SourceTransport,
  type TransportSettings,
} from './source-transport.ts';
