import { totalsAt, type BlnkData, type BlnkSeedBalance } from './data.ts';
import {
  matchesFilters,
  parseQueryFilters,
  validateFilters,
  type Cell,
  type Filter,
  type FilterSet,
} from './filter.ts';
import { balanceJson, errorJson, ledgerJson, type WireOptions } from './wire.ts';

/**
 * The Blnk endpoints the gateway reads, answering as v0.15.2 does (api/ledger.go, api/balance.go,
 * database/ledger.go, database/balance.go). Each handler returns a status and a JSON value.
 */

export interface Reply {
  readonly status: number;
  readonly json?: unknown;
  /** A non-JSON body (gin's plain-text 404). */
  readonly text?: string;
}

export interface RouteContext extends WireOptions {
  readonly data: BlnkData;
  readonly historyBeforeFirstMovement: 'zero' | 'not-found';
}

const ok = (json: unknown): Reply => ({ status: 200, json });
const fail = (status: number, code: string, message: string, extra: Parameters<typeof errorJson>[2] = {}): Reply => ({
  status,
  json: errorJson(code, message, extra),
});
/** A Go `strconv.Atoi` result, or null when the text is not an integer. */
const atoi = (text: string): number | null => (/^[+-]?\d{1,15}$/.test(text) ? Number(text) : null);

/** A `meta_data.<key>` filter reads the JSON value as text (Postgres `->>`). */
function metaCell(metaData: Record<string, unknown> | null, field: string): Cell {
  const value = metaData?.[field.slice('meta_data.'.length)];
  return value === undefined || value === null
    ? null
    : typeof value === 'object'
      ? JSON.stringify(value)
      : String(value);
}

function balanceCell(balance: BlnkSeedBalance, field: string): Cell {
  if (field.startsWith('meta_data.')) return metaCell(balance.metaData, field);
  const totals = totalsAt(balance);
  switch (field) {
    case 'balance_id':
      return balance.balanceId;
    case 'ledger_id':
      return balance.ledgerId;
    case 'identity_id':
      return balance.identityId || null;
    case 'indicator':
      return balance.indicator;
    case 'currency':
      return balance.currency;
    case 'balance':
      return totals.balance;
    case 'credit_balance':
      return totals.credit;
    case 'debit_balance':
      return totals.debit;
    case 'inflight_balance':
      return balance.inflightCredit - balance.inflightDebit;
    case 'inflight_credit_balance':
      return balance.inflightCredit;
    case 'inflight_debit_balance':
      return balance.inflightDebit;
    case 'created_at':
      return { micros: balance.createdAtMicros };
    default:
      return null;
  }
}

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

function compareCells(a: Cell, b: Cell): number {
  if (a === null || b === null) return a === b ? 0 : a === null ? 1 : -1;
  if (typeof a === 'object' && typeof b === 'object') return a.micros - b.micros;
  return a < b ? -1 : a > b ? 1 : 0;
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

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** Go's `time.Parse(time.RFC3339, …)`: fractional seconds accepted, calendar ranges checked. */
function parseRfc3339(text: string): { micros: number; echo: string } | null {
  const match = RFC3339.exec(text);
  if (!match) return null;
  const [, year, month, day, hour, minute, second, fraction = '', zone = 'Z'] = match;
  const daysInMonth = new Date(Date.UTC(Number(year), Number(month), 0)).getUTCDate();
  if (
    Number(month) < 1 ||
    Number(month) > 12 ||
    Number(day) < 1 ||
    Number(day) > daysInMonth ||
    Number(hour) > 23 ||
    Number(minute) > 59 ||
    Number(second) > 59
  )
    return null;
  const millis = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}${zone}`);
  const micros = millis * 1000 + Number(fraction.slice(1, 7).padEnd(6, '0'));
  // time.RFC3339 formatting drops the fraction and writes a zero offset as Z.
  return {
    micros,
    echo: `${year}-${month}-${day}T${hour}:${minute}:${second}${/^[+-]00:00$/.test(zone) ? 'Z' : zone}`,
  };
}

/** `GET /balances/{id}/at`: credit and debit summed from the applied movements up to the instant. */
export function getBalanceAt(context: RouteContext, id: string, query: URLSearchParams): Reply {
  const text = query.get('timestamp') ?? '';
  const target =
    text === '' ? { micros: Date.now() * 1000, echo: `${new Date().toISOString().slice(0, 19)}Z` } : parseRfc3339(text);
  if (!target)
    return fail(
      400,
      'BAL_INVALID_TIMESTAMP',
      'invalid timestamp format. Please use ISO 8601 format (e.g., 2024-01-01T15:04:05Z)',
    );
  const balance = context.data.balances.find((item) => item.balanceId === id);
  if (!balance) return fail(404, 'BAL_NOT_FOUND', `Balance '${id}' not found`, { details: {} });
  const applied = balance.movements.filter((movement) => movement.atMicros <= target.micros).length;
  if (applied === 0 && context.historyBeforeFirstMovement === 'not-found') {
    return fail(404, 'BAL_HISTORY_NOT_FOUND', `no balance data found for time: ${text}`);
  }
  const totals = totalsAt(balance, target.micros);
  const fromSource = query.get('from_source') === 'true' || query.get('from_source') === '1';
  return ok({
    balance: {
      balance: totals.balance,
      balance_id: balance.balanceId,
      credit_balance: totals.credit,
      currency: balance.currency,
      debit_balance: totals.debit,
    },
    from_source: fromSource,
    timestamp: target.echo,
  });
}
