import { type GatewayError, LimitExceededError, SourceError } from '../errors.ts';
import { currentScope } from '../request-scope.ts';
import {
  DEFAULT_MAX_PAGES_PER_WALK,
  startWalk,
  type Walk,
  type WalkBounds,
  type WalkStop,
} from '../relay/walk-guard.ts';

/**
 * Every walk over a vendor's pages is bounded (relay/walk-guard.ts): the relay's reads of a list,
 * and the connectors' own loops (Formance `$in` lookups and dated volumes, Midaz account balances).
 * This is where a stopped walk becomes what a client sees: a vendor that misbehaved is
 * `SOURCE_BAD_RESPONSE`, a walk past `server.limits.maxPagesPerWalk` is `LIMIT_EXCEEDED` with
 * `extensions.limit: "pagesPerWalk"`; both on that field only, naming the source, quoting nothing
 * the vendor sent.
 */

/** What a stopped walk of `source` is thrown as. */
export function walkError(source: string, stop: WalkStop): GatewayError {
  if (stop.reason === 'page-limit') {
    // No HTTP status: the operation ran, and only this field stopped (the answer stays 200).
    return new LimitExceededError(
      'pagesPerWalk',
      `reading this field from source "${source}" ${stop.message}`,
      null,
      undefined,
      { source, cause: stop },
    );
  }
  return new SourceError('SOURCE_BAD_RESPONSE', `source "${source}" ${stop.message}`, {
    source,
    retryable: false,
    cause: stop,
  });
}

/**
 * The walk bounds of one source's lists, and of its connector's loops. The page limit is the
 * operation's (`server.limits.maxPagesPerWalk`, kept in the request scope like the call budget),
 * read when a walk starts; outside an operation, the default.
 */
export function walkBounds(source: string): WalkBounds {
  return {
    get maxPages() {
      return currentScope()?.operation?.maxPagesPerWalk ?? DEFAULT_MAX_PAGES_PER_WALK;
    },
    failure: (stop) => walkError(source, stop),
  };
}

/**
 * What names a domain model in its source's lists: its ledger, account and balance ids, as far as
 * it has them. Lists of ledgers, accounts and balances all use it as their `identify`.
 */
export function modelKey(model: {
  readonly ledgerId: string;
  readonly accountId?: string;
  readonly balanceId?: string;
}): string {
  // Length-prefixed parts ("~" for none): as unambiguous as JSON, without building an array and a string per item.
  return idPart(model.ledgerId) + idPart(model.accountId) + idPart(model.balanceId);
}

const idPart = (id: string | null | undefined) => (id === undefined || id === null ? '~' : `${id.length}:${id}`);

/** `modelKey` for a vendor whose ids are UUIDs, which name the same thing in either case (Midaz). */
export function uuidModelKey(model: Parameters<typeof modelKey>[0]): string {
  return modelKey({
    ledgerId: model.ledgerId.toLowerCase(),
    accountId: model.accountId?.toLowerCase(),
    balanceId: model.balanceId?.toLowerCase(),
  });
}

/**
 * A connector loop that follows a vendor's next cursor, bounded like a list walk: `page` reads the
 * page of a cursor (null: the first) and says which records it held and where it leads.
 */
export async function followPages<R>(
  bounds: WalkBounds,
  identify: (record: R) => string,
  page: (cursor: string | null) => Promise<{ records: readonly R[]; next: string | null }>,
): Promise<R[]> {
  const walk: Walk<R> = startWalk(bounds, identify);
  const all: R[] = [];
  let cursor: string | null = null;
  for (;;) {
    walk.next(cursor);
    const { records, next } = await page(cursor);
    walk.read(records, next !== null);
    all.push(...records);
    if (next === null) return all;
    cursor = next;
  }
}
