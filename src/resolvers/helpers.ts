import type { GatewayContext } from '../context.ts';
import { NotFoundError } from '../errors.ts';
import type { Connector } from '../providers/types.ts';

/** The connector of a configured source; NOT_FOUND when the name is not (or no longer) configured. */
export function connectorOf(context: GatewayContext, source: string): Connector {
  const connector = context.connectors.get(source);
  if (!connector) throw new NotFoundError(`no source named "${source}" is configured`);
  return connector;
}

/**
 * Resolves to null where the thing does not exist, and rejects with every other failure, a
 * synchronous throw of `load` included (a malformed id). One promise, not an async function's
 * frame and two: `nodes(ids)` makes one per id.
 */
export function orNull<T>(load: () => Promise<T>): Promise<T | null> {
  let loading: Promise<T>;
  try {
    loading = load();
  } catch (error) {
    loading = Promise.reject(error);
  }
  return loading.then(undefined, (error: unknown) => {
    if (error instanceof NotFoundError) return null;
    throw error;
  });
}
