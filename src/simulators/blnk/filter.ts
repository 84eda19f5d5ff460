/**
 * Blnk's advanced filters as the server parses and applies them (internal/filter/parser.go,
 * validation.go, operators.go at v0.15.2): `<field>_<operator>=<value>` query parameters or a JSON
 * `filters` array, checked against the table's fields, combined with AND (or OR).
 */

export type Operator =
  | 'eq'
  | 'ne'
  | 'gt'
  | 'gte'
  | 'lt'
  | 'lte'
  | 'in'
  | 'between'
  | 'like'
  | 'ilike'
  | 'isnull'
  | 'isnotnull';

export interface Filter {
  readonly field: string;
  readonly operator: string;
  readonly value?: unknown;
  readonly values?: readonly unknown[];
}

export interface ParseError {
  readonly Param: string;
  readonly Message: string;
}

export interface FilterSet {
  readonly filters: Filter[];
  readonly logical: 'and' | 'or';
  readonly errors: ParseError[];
}

const MAX_FILTERS = 20;
const MAX_IN_VALUES = 100;
const MAX_CHAR_LENGTH = 1000;
const RESERVED = new Set([
  'page',
  'pagesize',
  'per_page',
  'limit',
  'offset',
  'sort',
  'order',
  'order_by',
  'order_dir',
  'logical_operator',
  'instance_id',
  'org_id',
]);
const ALIASES: Record<string, Operator> = { neq: 'ne', gteq: 'gte', lteq: 'lte' };
const OPERATORS = new Set<string>([
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'between',
  'like',
  'ilike',
  'isnull',
  'isnotnull',
]);

export const TABLE_FIELDS: Record<'balances' | 'ledgers', ReadonlySet<string>> = {
  balances: new Set([
    'balance_id',
    'ledger_id',
    'identity_id',
    'indicator',
    'currency',
    'balance',
    'credit_balance',
    'debit_balance',
    'inflight_balance',
    'inflight_credit_balance',
    'inflight_debit_balance',
    'created_at',
    'meta_data',
  ]),
  ledgers: new Set(['ledger_id', 'name', 'created_at', 'meta_data']),
};

function resolveOperator(text: string): Operator | null {
  const lower = text.toLowerCase();
  if (OPERATORS.has(lower)) return lower as Operator;
  return ALIASES[lower] ?? null;
}

/** `filter.ParseFromQuery`: unknown suffixes are ignored, limits produce parse errors (→ 400). */
export function parseQueryFilters(query: URLSearchParams): FilterSet {
  const logical = (query.get('logical_operator') ?? '').trim().toLowerCase();
  const set: FilterSet = { filters: [], logical: logical === 'or' ? 'or' : 'and', errors: [] };
  if (logical !== '' && logical !== 'and' && logical !== 'or')
    set.errors.push({ Param: 'logical_operator', Message: "invalid logical_operator: must be 'and' or 'or'" });
  for (const key of new Set(query.keys())) {
    if (RESERVED.has(key.toLowerCase())) continue;
    const parts = key.split('_');
    if (parts.length < 2) continue;
    const operator = resolveOperator(parts.at(-1) ?? '');
    if (!operator) continue;
    if (set.filters.length >= MAX_FILTERS) {
      set.errors.push({ Param: key, Message: `exceeded maximum number of filters (${MAX_FILTERS})` });
      continue;
    }
    const value = query.getAll(key)[0] ?? ''; // the server reads only the first of repeated values
    if (Buffer.byteLength(value) > MAX_CHAR_LENGTH) {
      set.errors.push({ Param: key, Message: `value exceeds maximum length (${MAX_CHAR_LENGTH} chars)` });
      continue;
    }
    const field = parts.slice(0, -1).join('_');
    if (operator === 'between') {
      const range = value.split('|');
      if (range.length !== 2) {
        set.errors.push({
          Param: key,
          Message: 'between operator requires exactly 2 pipe-separated values (value1|value2)',
        });
        continue;
      }
      set.filters.push({ field, operator, values: range });
    } else if (operator === 'in') {
      const values = value.split(',');
      if (values.length > MAX_IN_VALUES) {
        set.errors.push({ Param: key, Message: `IN operator exceeds maximum values (${MAX_IN_VALUES})` });
        continue;
      }
      set.filters.push({ field, operator, values: values.map((item) => item.trim()) });
    } else {
      set.filters.push({ field, operator, value });
    }
  }
  return set;
}

/** `filter.Validate`: the first problem as the server words it, or null. */
export function validateFilters(filters: readonly Filter[], table: keyof typeof TABLE_FIELDS): string | null {
  for (const filter of filters) {
    if (!OPERATORS.has(filter.operator)) {
      return `invalid operator '${filter.operator}' for field '${filter.field}': must be one of eq, ne, gt, gte, lt, lte, in, between, like, ilike, isnull, isnotnull`;
    }
    if (filter.operator === 'in' && !filter.values?.length)
      return `operator 'in' for field '${filter.field}' requires at least one value in 'values'`;
    if (filter.operator === 'between' && filter.values?.length !== 2) {
      return `operator 'between' for field '${filter.field}' requires exactly two values in 'values', got ${filter.values?.length ?? 0}`;
    }
    if (filter.field.startsWith('meta_data.')) {
      const key = filter.field.slice('meta_data.'.length);
      if (!/^[a-zA-Z][a-zA-Z0-9_]*$/.test(key))
        return `invalid JSON key '${key}' in field '${filter.field}': must match pattern ^[a-zA-Z][a-zA-Z0-9_]*$`;
      continue;
    }
    if (!TABLE_FIELDS[table].has(filter.field)) return `invalid field '${filter.field}' for table '${table}'`;
  }
  return null;
}

/** A column value: text, an exact integer, a time in epoch microseconds, or SQL NULL. */
export type Cell = string | bigint | { readonly micros: number } | null;

function compare(cell: Exclude<Cell, null>, raw: unknown): number | null {
  const text = String(raw);
  if (typeof cell === 'bigint') {
    if (!/^-?\d+$/.test(text)) return null;
    const other = BigInt(text);
    return cell === other ? 0 : cell < other ? -1 : 1;
  }
  if (typeof cell === 'object') {
    const millis = Date.parse(text);
    if (Number.isNaN(millis)) return null;
    return Math.sign(cell.micros - millis * 1000);
  }
  return cell === text ? 0 : cell < text ? -1 : 1;
}

function like(cell: Exclude<Cell, null>, pattern: unknown, flags: string): boolean {
  const source = String(pattern)
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/%/g, '.*')
    .replace(/_/g, '.');
  return new RegExp(`^${source}$`, flags).test(typeof cell === 'object' ? String(cell.micros) : String(cell));
}

/** Whether one row passes one filter, with SQL's NULL semantics (only `isnull` matches NULL). */
function test(cell: Cell, filter: Filter): boolean {
  if (filter.operator === 'isnull') return cell === null;
  if (filter.operator === 'isnotnull') return cell !== null;
  if (cell === null) return false;
  const order = (value: unknown) => compare(cell, value);
  switch (filter.operator) {
    case 'eq':
      return order(filter.value) === 0;
    case 'ne':
      return order(filter.value) !== 0;
    case 'gt':
      return (order(filter.value) ?? 0) > 0;
    case 'gte':
      return (order(filter.value) ?? -1) >= 0;
    case 'lt':
      return (order(filter.value) ?? 0) < 0;
    case 'lte':
      return (order(filter.value) ?? 1) <= 0;
    case 'in':
      return (filter.values ?? []).some((value) => order(value) === 0);
    case 'between':
      return (order(filter.values?.[0]) ?? -1) >= 0 && (order(filter.values?.[1]) ?? 1) <= 0;
    case 'like':
      return like(cell, filter.value, '');
    case 'ilike':
      return like(cell, filter.value, 'i');
    default:
      return false;
  }
}

export function matchesFilters(cellOf: (field: string) => Cell, set: Pick<FilterSet, 'filters' | 'logical'>): boolean {
  if (set.filters.length === 0) return true;
  const results = set.filters.map((filter) => test(cellOf(filter.field), filter));
  return set.logical === 'or' ? results.some(Boolean) : results.every(Boolean);
}
