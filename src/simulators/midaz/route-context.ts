import type { MidazData } from './data.ts';
import { validateQuery, type QueryHeader } from './paging.ts';
import type { Reply } from './wire.ts';

/** What every Midaz route handler is given (routes.ts matches the path and checks its parameters). */
export interface RouteContext {
  readonly data: MidazData;
  /** `MAX_PAGINATION_LIMIT`, default 100. */
  readonly maxLimit: number;
  /** The clock the future-date check reads (`time.Now()`), in microseconds. */
  readonly nowMicros: () => number;
}

/** A handler: the path parameters by name (UUIDs already checked and lower-cased) and the query. */
export type Handler = (context: RouteContext, params: Record<string, string>, query: URLSearchParams) => Reply;

/** A path template (`:name` marks a parameter) and its handler. */
export type Route = readonly [string, Handler];

/** One ledger's path, the prefix of every route under it. */
export const LEDGER = '/v1/organizations/:organization_id/ledgers/:ledger_id';

/** Answers with `answer` once the list query (paging, dates, sort) is valid, else with its 400. */
export function withQuery(
  context: RouteContext,
  query: URLSearchParams,
  answer: (header: QueryHeader) => Reply,
): Reply {
  const header = validateQuery(query, context.maxLimit);
  return 'status' in header ? header : answer(header);
}

/** Whether an instant is in the query's `start_date`/`end_date` window (no window: every instant is). */
export const inWindow = (header: QueryHeader) => (micros: number) =>
  header.startMicros === null || (micros >= header.startMicros && micros <= (header.endMicros ?? micros));
