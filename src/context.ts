import type { GraphQLResolveInfo } from 'graphql';
import type { GatewayError } from './errors.ts';
import type { Connector } from './providers/types.ts';
import type { CursorCodec } from './relay/cursor.ts';
import { createLoaders, type Loaders } from './loaders/index.ts';

/** What lives for the gateway's whole life: the connectors and the cursor codec. */
export interface GatewayRuntime {
  /** Connectors by source name, in configuration order. */
  readonly connectors: ReadonlyMap<string, Connector>;
  readonly cursors: CursorCodec;
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
  readonly loaders: Loaders;
  /** Errors of sources skipped while a field still answered; the partial-errors plugin adds them to the response. */
  readonly partialErrors: PartialError[];
}

export function createContext(runtime: GatewayRuntime): GatewayContext {
  return { runtime, loaders: createLoaders(runtime.connectors), partialErrors: [] };
}
