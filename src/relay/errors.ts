/**
 * Client input the relay refuses: a bad page size, a cursor or ID this gateway did not issue, a
 * position that does not point into the list, a history window it cannot page. Relay code knows
 * no GraphQL, so the resolvers turn it into BAD_USER_INPUT (resolvers/connections.ts, ids.ts,
 * history-list.ts).
 */
export class RelayInputError extends Error {
  override name = 'RelayInputError';
}

/** A position (decoded from a cursor) of another list, or of a part no longer configured. */
export function invalidPosition(): never {
  throw new RelayInputError('cursor does not point into this list');
}
