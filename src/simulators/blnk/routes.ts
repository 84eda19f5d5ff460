import { balanceCell, compareCells, metaCell } from './cells.ts';
import type { BlnkData, BlnkSeedBalance } from './data.ts';
import {
  matchesFilters,
  parseQueryFilters,
  validateFilters,
  type Cell,
  type Filter,
  type FilterSet,
} from './filter.ts';
import { balanceJson, fail, ledgerJson, ok, type Reply, type WireOptions } from './wire.ts';

/**
 * The Blnk endpoints the gateway reads, answering as v0.15.2 does (api/ledger.go, api/balance.go,
 * database/ledger.go, database/balance.go); the balance history endpoint is routes-history.ts.
 * Each handler returns a status and a JSON value.
 */

export interface RouteContext extends WireOptions {
  readonly data: BlnkData;
  readonly historyBeforeFirstMovement: 'zero' | 'not-found';
}

/** A Go `strconv.Atoi` result, or null when the text is not an integer. */
const atoi = (text: string): number | null => (/^[+-]?\d{1,15}$/.test(text) ? Number(text) : null);

function pageParams(query: URLSearchParams, capitalised: boolean): { limit: number; offset: number } | Reply {
  const word = capitalised ? 'Invalid' : 'invalid';
  const limit = atoi(query.get('limit') ?? '10');
  if (limit === null || limit <= 0) return fail(400, 'GEN_VALIDATION_ERROR', `${word} limit value`);
  const offset = atoi(query.get('offset') ?? '0');
  if (offset === null || offset < 0) return fail(400, 'GEN_VALIDATION_ERROR', `${word} offset value`);
  return { limit, offset };
}

/** The 400s of a filtered GET: parse errors (legacy key `errors`) or an invalid field (GEN_BAD_REQUEST). */
function filterProblem(set: FilterSet, table: 'balances' | 'ledgers'): Reply | null {
  if (set.errors.length > 0) {
    return fail(400, 'GEN_VALIDATION_ERROR', 'invalid filter parameters', {
      legacyKey: 'errors',
      legacyValue: set.errors,
      details: set.errors,
    });
  }
  const invalid = validateFilters(set.filters, table);
  return invalid ? fail(400, 'GEN_BAD_REQUEST', `Invalid filter: ${invalid}`, { details: {} }) : null;
}

export function listLedgers(context: RouteContext, query: URLSearchParams): Reply {
  const page = pageParams(query, true);
  if ('status' in page) return page;
  const set = parseQueryFilters(query);
  const problem = filterProblem(set, 'ledgers');
  if (problem) return problem;
  const limit = page.limit > 100 ? 20 : page.limit; // database/ledger.go: a limit above 100 silently becomes 20
  const cell = (ledger: BlnkData['ledgers'][number], field: string): Cell =>
    field === 'ledger_id'
      ? ledger.ledgerId
      : field === 'name'
        ? ledger.name
        : field === 'created_at'
          ? { micros: ledger.createdAtMicros }
          : field.startsWith('meta_data.')
            ? metaCell(ledger.metaData, field)
            : null;
  const rows = context.data.ledgers.filter((ledger) => matchesFilters((field) => cell(ledger, field), set));
  return ok(rows.slice(page.offset, page.offset + limit).map(ledgerJson)); // ledgers start as []model.Ledger{}: never null
}

export function getLedger(context: RouteContext, id: string): Reply {
  const ledger = context.data.ledgers.find((item) => item.ledgerId === id);
  return ledger ? ok(ledgerJson(ledger)) : fail(404, 'LGR_NOT_FOUND', 'Ledger not found', { details: {} });
}

/** A page of balances: a bare array, or null for none (the server's nil Go slice). */
function balancePage(context: RouteContext, rows: readonly BlnkSeedBalance[]): unknown {
  return rows.length === 0 ? null : rows.map((balance) => balanceJson(balance, false, context));
}

export function listBalances(context: RouteContext, query: URLSearchParams): Reply {
  const page = pageParams(query, false);
  if ('status' in page) return page;
  const set = parseQueryFilters(query);
  const filtered = set.filters.length > 0 || set.errors.length > 0;
  const problem = filtered ? filterProblem(set, 'balances') : null;
  if (problem) return problem;
  const limit = filtered && page.limit > 1000 ? 1000 : page.limit; // with filters the limit is capped at 1000; without, not at all
  const rows = context.data.balances.filter((balance) => matchesFilters((field) => balanceCell(balance, field), set));
  return ok(balancePage(context, rows.slice(page.offset, page.offset + limit)));
}

/** `POST /balances/filter` (api/filter_helper.go `ParseFiltersFromBody`). */
export function filterBalances(context: RouteContext, text: string): Reply {
  let body: {
    filters?: Filter[];
    logical_operator?: string;
    limit?: number;
    offset?: number;
    sort_by?: string;
    sort_order?: string;
    include_count?: boolean;
  };
  try {
    body = JSON.parse(text) as typeof body;
    if (
      body === null ||
      typeof body !== 'object' ||
      Array.isArray(body) ||
      (body.filters !== undefined && !Array.isArray(body.filters))
    )
      throw new Error();
  } catch {
    return fail(400, 'GEN_VALIDATION_ERROR', 'invalid request body');
  }
  const limit =
    !Number.isInteger(body.limit) || (body.limit ?? 0) <= 0 || (body.limit ?? 0) > 100 ? 20 : (body.limit as number); // above 100 silently 20
  const offset = Number.isInteger(body.offset) && (body.offset as number) > 0 ? (body.offset as number) : 0;
  const logical = (body.logical_operator ?? '').trim().toLowerCase();
  if (logical !== '' && logical !== 'and' && logical !== 'or')
    return fail(400, 'GEN_VALIDATION_ERROR', "invalid logical_operator: must be 'and' or 'or'");
  const filters = body.filters ?? [];
  const invalid = validateFilters(filters, 'balances');
  if (invalid) return fail(400, 'GEN_BAD_REQUEST', `Invalid filter: ${invalid}`, { details: {} });
  const sortBy = (body.sort_by ?? '').trim().toLowerCase() || 'created_at';
  const direction = (body.sort_order ?? '').trim().toLowerCase() === 'asc' ? 1 : -1;
  const rows = context.data.balances
    .filter((balance) =>
      matchesFilters((field) => balanceCell(balance, field), { filters, logical: logical === 'or' ? 'or' : 'and' }),
    )
    .sort(
      (a, b) =>
        direction * compareCells(balanceCell(a, sortBy), balanceCell(b, sortBy)) ||
        b.createdAtMicros - a.createdAtMicros,
    );
  const data = balancePage(context, rows.slice(offset, offset + limit));
  return ok(body.include_count ? { data, total_count: rows.length > offset ? rows.length : undefined } : data);
}

export function getBalance(context: RouteContext, id: string): Reply {
  const balance = context.data.balances.find((item) => item.balanceId === id);
  return balance
    ? ok(balanceJson(balance, true, context))
    : fail(404, 'BAL_NOT_FOUND', `Balance with ID '${id}' not found`, { details: {} });
}
