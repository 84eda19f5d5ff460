import { invalidQueryParameter, validationError, type Reply } from './wire.ts';

/**
 * Query validation and paging exactly as Midaz v3.8.0 does them: pkg/net/http/httputils.go
 * `ValidateParameters` for the query, and lib-commons v5.10.0 commons/net/http/cursor.go for
 * keyset cursors, including its backward-paging behaviour: the page where a walk through
 * `prev_cursor` reaches the start of the list comes back in reverse order, without a
 * `next_cursor`, and with a `prev_cursor` that leads back into the same rows.
 */

export interface QueryHeader {
  readonly limit: number;
  readonly page: number;
  readonly cursor: string;
  readonly sortOrder: 'asc' | 'desc';
  /** `created_at` bounds in microseconds, both or neither. */
  readonly startMicros: number | null;
  readonly endMicros: number | null;
}

/** Go's `strconv.Atoi`. */
const atoi = (text: string): number | null => (/^[+-]?\d{1,18}$/.test(text) ? Number(text) : null);

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})(?:([T ])(\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?(Z|[+-]\d{2}:\d{2})?)?$/;

/**
 * lib-commons `ParseDateTime`: RFC 3339, `2006-01-02T15:04:05`, `…Z`, `2006-01-02 15:04:05` (Go
 * accepts a fraction after the seconds in each), else a bare date. Times without a zone are UTC.
 */
export function parseDateTime(text: string, endOfDay: boolean): { micros: number; hasTime: boolean } | null {
  const match = DATE_TIME.exec(text);
  if (!match) return null;
  const [, year, month, day, separator, hour = '00', minute = '00', second = '00', fraction = '', zone] = match;
  if (separator === ' ' && zone !== undefined) return null; // "2006-01-02 15:04:05" has no zone
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
  const hasTime = separator !== undefined;
  const clock = hasTime ? `${hour}:${minute}:${second}` : endOfDay ? '23:59:59' : '00:00:00';
  const millis = Date.parse(`${year}-${month}-${day}T${clock}${zone ?? 'Z'}`);
  return { micros: millis * 1000 + Number(fraction.slice(0, 6).padEnd(6, '0')), hasTime };
}

export function validateQuery(query: URLSearchParams, maxLimit: number): QueryHeader | Reply {
  let limit = 10;
  let page = 1;
  let cursor = '';
  let sortOrder = 'asc';
  let start: number | null = null;
  let end: number | null = null;
  for (const [key, value] of query) {
    if (key === 'limit') {
      const parsed = atoi(value);
      if (parsed === null) return invalidQueryParameter('limit');
      limit = parsed;
    } else if (key === 'page') {
      const parsed = atoi(value);
      if (parsed === null) return invalidQueryParameter('page');
      page = parsed;
    } else if (key.includes('cursor')) cursor = value;
    else if (key.includes('sort_order')) sortOrder = value.toLowerCase();
    else if (key.includes('start_date') || key.includes('end_date')) {
      const parsed = parseDateTime(value, key.includes('end_date'));
      if (!parsed)
        return validationError(
          '0131',
          'Invalid Datetime Format Error',
          `The '${key.includes('end_date') ? 'end_date' : 'start_date'}' parameter is in the incorrect format. Please use the 'yyyy-mm-dd or yyyy-mm-dd hh:mm:ss' format and try again.`,
        );
      if (key.includes('start_date')) start = parsed.micros;
      else end = parsed.micros;
    }
  }
  if ((start === null) !== (end === null)) {
    return validationError(
      '0083',
      'Invalid Date Range Error',
      "Both 'initialDate' and 'finalDate' fields are required and must be in the 'yyyy-mm-dd' format. Please provide valid dates and try again.",
    );
  }
  if (start !== null && end !== null && start > end) {
    return validationError(
      '0078',
      'Invalid Final Date Error',
      "The 'finalDate' cannot be earlier than the 'initialDate'. Please verify the dates and try again.",
    );
  }
  if (page <= 0) return invalidQueryParameter('page');
  if (limit <= 0) return invalidQueryParameter('limit');
  if (limit > maxLimit) {
    return validationError(
      '0080',
      'Pagination Limit Exceeded',
      `The pagination limit exceeds the maximum allowed of ${maxLimit} items per page. Please verify the limit and try again.`,
    );
  }
  if (sortOrder !== 'asc' && sortOrder !== 'desc') {
    return validationError(
      '0081',
      'Invalid Sort Order',
      "The 'sort_order' field must be 'asc' or 'desc'. Please provide a valid sort order and try again.",
    );
  }
  if (cursor !== '' && decodeCursor(cursor) === null) {
    const legacy = decodeLegacyCursor(cursor);
    if (legacy === null) return invalidQueryParameter('cursor');
    cursor = encodeCursor(legacy);
  }
  return { limit, page, cursor, sortOrder, startMicros: start, endMicros: end };
}

export interface Cursor {
  readonly id: string;
  readonly direction: 'next' | 'prev';
}

const STD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify({ id: cursor.id, direction: cursor.direction })).toString('base64');
}

/** `DecodeCursor`: strict standard base64 of `{"id","direction"}` with a known direction. */
export function decodeCursor(text: string): Cursor | null {
  if (!STD_BASE64.test(text)) return null;
  try {
    const value = JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as { id?: unknown; direction?: unknown };
    if (typeof value.id !== 'string' || value.id === '' || (value.direction !== 'next' && value.direction !== 'prev'))
      return null;
    return { id: value.id, direction: value.direction };
  } catch {
    return null;
  }
}

/** Pre-v3 cursors `{"id","points_next"}`, padded or not (httputils.go `normalizeLegacyCursor`). */
function decodeLegacyCursor(text: string): Cursor | null {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(text)) return null;
  try {
    const value = JSON.parse(Buffer.from(text, 'base64').toString('utf8')) as { id?: unknown; points_next?: unknown };
    if (typeof value.id !== 'string' || value.id === '') return null;
    return { id: value.id, direction: value.points_next === true ? 'next' : 'prev' };
  } catch {
    return null;
  }
}

export interface CursorPage<T> {
  readonly items: T[];
  readonly next: string | undefined;
  readonly prev: string | undefined;
}

/**
 * One keyset page over `rows` (all rows that match, in any order), as the balance repositories
 * run it: `WHERE id <op> cursor ORDER BY id <order> LIMIT limit+1`, then lib-commons
 * `PaginateRecords` and `CalculateCursor`, quirks included.
 */
export function cursorPage<T extends { id: string }>(rows: readonly T[], header: QueryHeader): CursorPage<T> {
  const isFirstPage = header.cursor === '';
  const cursor = isFirstPage ? { id: '', direction: 'next' as const } : (decodeCursor(header.cursor) as Cursor);
  const ascending = header.sortOrder === 'asc';
  // CursorDirectionRules: "next" keeps the requested order, "prev" flips both the operator and the order.
  const forward = cursor.direction === 'next' ? ascending : !ascending;
  const byId = [...rows].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const ordered = forward ? byId : byId.reverse();
  const after =
    cursor.id === '' ? ordered : ordered.filter((row) => (forward ? row.id > cursor.id : row.id < cursor.id));
  const fetched = after.slice(0, header.limit + 1);
  const hasPagination = fetched.length > header.limit;
  // PaginateRecords: without a further page it returns the rows as queried, so a "prev" page that
  // reaches the start of the list keeps the flipped (reverse) order.
  let items = fetched;
  if (hasPagination) {
    items = fetched.slice(0, header.limit);
    if (!isFirstPage && cursor.direction === 'prev') items.reverse();
  }
  if (items.length === 0) return { items, next: undefined, prev: undefined };
  // CalculateCursor
  const hasNext =
    (cursor.direction === 'next' && hasPagination) || (cursor.direction === 'prev' && (hasPagination || isFirstPage));
  const first = items[0] as T;
  const last = items.at(-1) as T;
  return {
    items,
    next: hasNext ? encodeCursor({ id: last.id, direction: 'next' }) : undefined,
    prev: isFirstPage ? undefined : encodeCursor({ id: first.id, direction: 'prev' }),
  };
}
