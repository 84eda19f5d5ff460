import { BadUserInputError } from '../errors.ts';
import type { GatewayContext } from '../context.ts';
import { connectionFromSequence, type Connection, type ConnectionArguments } from '../relay/connection.ts';
import { RelayInputError } from '../relay/errors.ts';
import { sequenceOf, type Sequence, type VendorList } from '../relay/sequence.ts';

/**
 * Resolves a Relay connection field over a vendor list. `key` names the connection (field, parent
 * and filter arguments): a cursor issued for one key is refused by every other.
 */
export async function resolveConnection<T>(
  context: GatewayContext,
  list: VendorList<T> | Sequence<T>,
  args: ConnectionArguments,
  key: string,
): Promise<Connection<T>> {
  const sequence = 'paging' in list ? sequenceOf(list) : list;
  try {
    return await connectionFromSequence(sequence, args, { codec: context.runtime.cursors, key });
  } catch (error) {
    if (error instanceof RelayInputError) throw new BadUserInputError(error.message);
    throw error;
  }
}

/** A stable key for filter arguments: the same filter in any key order gives the same key. */
export function filterKey(filter: object | null | undefined): string {
  const entries = Object.entries(filter ?? {}).filter(([, value]) => value !== undefined && value !== null);
  entries.sort(([a], [b]) => (a < b ? -1 : 1));
  return JSON.stringify(entries);
}
