import type { GatewayContext } from '../context.ts';
import { NotFoundError } from '../errors.ts';
import type { Connector } from '../providers/types.ts';

/** The connector of a configured source; NOT_FOUND when the name is not (or no longer) configured. */
export function connectorOf(context: GatewayContext, source: string): Connector {
  const connector = context.connectors.get(source);
  if (!connector) throw new NotFoundError(`no source named "${source}" is configured`);
  return connector;
}

/** Resolves to null where the thing does not exist, and rethrows every other failure. */
export async function orNull<T>(load: () => Promise<T>): Promise<T | null> {
  try {
    return await load();
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    throw error;
  }
}
