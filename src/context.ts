import type { GraphQLResolveInfo } from 'graphql';
import type { Authenticator, Principal } from './auth/index.ts';
import type { GatewayError } from './errors.ts';
import type { CircuitBreaker, SourceQuota } from './providers/http/index.ts';
import type { Connector } from './providers/types.ts';
import type { CursorCodec } from './relay/cursor.ts';
import { createLoaders, type Loaders } from './loaders/index.ts';

/** What lives for the gateway's whole life: the connectors and the cursor codec. */
export interface GatewayRuntime {
  /** Connectors by source name, in configuration order. */
  readonly connectors: ReadonlyMap<string, Connector>;
  /** Each source's circuit breaker, by source name. */
  readonly breakers: ReadonlyMap<string, CircuitBreaker>;
  /** Each source's outbound quota (`sources[].rateLimit`), by source name; sources without one are absent. */
  readonly quotas?: ReadonlyMap<string, SourceQuota>;
  readonly cursors: CursorCodec;
  readonly authenticator: Authenticator;
}

/** A field error to add to the response while the field itself still resolves (a sick source in a merged list). */
export interface PartialError {
  /** A gateway error: these skip yoga's masking, so nothing else may be reported this way. */
  readonly error: GatewayError;
  readonly info: GraphQLResolveInfo;
}

/** Per-request context: fresh DataLoaders every request, never shared between callers. */
export interface GatewayContext {
  readonly runtime: GatewayRuntime;
  /** Who is calling. */
  readonly principal: Principal;
  /**
   * The connectors of the sources this caller may see, in configuration order. Resolvers and
   * loaders reach sources only through this map, so a hidden source is indistinguishable from an
   * unconfigured one: not listed, and `NOT_FOUND` through `node(id)`.
   */
  readonly connectors: ReadonlyMap<string, Connector>;
  readonly loaders: Loaders;
  /** Errors of sources skipped while a field still answered; the partial-errors plugin adds them to the response. */
  readonly partialErrors: PartialError[];
}

export function createContext(runtime: GatewayRuntime, principal: Principal): GatewayContext {
  const visible = principal.sources;
  const connectors =
    visible === 'all' ? runtime.connectors : new Map([...runtime.connectors].filter(([name]) => visible.has(name)));
  return { runtime, principal, connectors, loaders: createLoaders(connectors), partialErrors: [] };
}
