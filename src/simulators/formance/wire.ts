/**
 * The Formance ledger's wire habits: Go's encoding/json (big.Int written as bare digits, map keys
 * sorted), go-libs `bunpaginate` cursors (base64url JSON of the whole query) and its page-size rules.
 */

/** A JSON value whose bigints are written as unquoted integers, as Go writes `*big.Int`. */
export type WireValue =
  | string
  | number
  | boolean
  | null
  | bigint
  | readonly WireValue[]
  | { readonly [key: string]: WireValue | undefined };

/** Serialises without ever turning a bigint into a JS number; `undefined` members are left out (Go `omitempty`). */
export function writeJson(value: WireValue): string {
  if (typeof value === 'bigint') return value.toString();
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item: WireValue) => writeJson(item)).join(',')}]`;
  const members = Object.entries(value as Record<string, WireValue | undefined>)
    .filter((entry): entry is [string, WireValue] => entry[1] !== undefined)
    .map(([key, item]) => `${JSON.stringify(key)}:${writeJson(item)}`);
  return `{${members.join(',')}}`;
}

/** Go marshals map keys in byte order; so does this (for ASCII keys, code-unit order is byte order). */
export function sortedKeys<T>(map: ReadonlyMap<string, T> | Readonly<Record<string, T>>): string[] {
  const keys = map instanceof Map ? [...map.keys()] : Object.keys(map);
  return keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A failure a handler raises; the router turns it into an error body. */
export class HttpFailure extends Error {
  readonly status: number;
  readonly errorCode: string;
  constructor(status: number, errorCode: string, message: string) {
    super(message);
    this.status = status;
    this.errorCode = errorCode;
  }
}

export const validation = (message: string) => new HttpFailure(400, 'VALIDATION', message);

/** What a Formance cursor carries: the storage layer's `OffsetPaginatedQuery`. */
export interface OffsetQuery {
  readonly column: string;
  readonly order: 0 | 1;
  readonly pageSize: number;
  /** `pit`/`oot`: Go `time.Time` as encoding/json writes it (RFC 3339, UTC, up to microseconds here), or null. */
  readonly filters: {
    readonly pit: string | null;
    readonly oot: string | null;
    readonly qb: unknown;
    readonly expand?: readonly string[];
    readonly opts: unknown;
  };
  readonly offset: number;
}

export function encodeCursor(query: OffsetQuery): string {
  return Buffer.from(JSON.stringify(query)).toString('base64url');
}

export function decodeCursor(text: string): OffsetQuery {
  try {
    const query = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as OffsetQuery;
    if (
      typeof query !== 'object' ||
      query === null ||
      !Number.isSafeInteger(query.offset) ||
      !Number.isSafeInteger(query.pageSize)
    )
      throw new Error('shape');
    return query;
  } catch {
    throw validation('invalid cursor');
  }
}

/**
 * go-libs v4 `bunpaginate.GetPageSize`: empty or `0` is the default, a non-number or a negative is
 * an error, anything above the maximum is cut to it without a word.
 */
export function readPageSize(raw: string | undefined, defaultSize: number, maxSize: number): number {
  if (raw === undefined || raw === '') return defaultSize;
  if (!/^\d+$/.test(raw) || Number(raw) > 0xffffffff) throw validation("invalid 'pageSize' query param");
  const size = Number(raw);
  if (size === 0) return defaultSize;
  return Math.min(size, maxSize);
}

export type CursorBody<T> = {
  readonly pageSize: number;
  readonly hasMore: boolean;
  readonly previous: string | undefined;
  readonly next: string | undefined;
  readonly data: readonly T[];
};

/** One page of `items` as the storage layer's offset paginator cuts it (`previous` clamps at 0). */
export function pageOf<T>(items: readonly T[], query: OffsetQuery): CursorBody<T> {
  const data = items.slice(query.offset, query.offset + query.pageSize);
  const hasMore = items.length > query.offset + query.pageSize;
  return {
    pageSize: query.pageSize,
    hasMore,
    previous:
      query.offset > 0 ? encodeCursor({ ...query, offset: Math.max(0, query.offset - query.pageSize) }) : undefined,
    next: hasMore ? encodeCursor({ ...query, offset: query.offset + query.pageSize }) : undefined,
    data,
  };
}

/** Go's `time.RFC3339Nano` as `time.Parse` reads it: fraction optional (any length, `.` or `,`), `Z` or `±hh:mm`. */
const RFC3339_NANO = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:[.,](\d+))?(?:(Z)|([+-])(\d{2}):(\d{2}))$/;
const GO_LAYOUT = '2006-01-02T15:04:05.999999999Z07:00';

/**
 * A date query parameter as go-libs v4 `time.ParseTime` reads it: `time.Parse(time.RFC3339Nano)`,
 * then rounded to the microsecond (`DatePrecision`). Microseconds since the Unix epoch, as a
 * bigint: Go's zero time (year 1) is beyond 2^53 µs. Anything else is 400 VALIDATION.
 */
export function parseGoTime(text: string): bigint {
  const match = RFC3339_NANO.exec(text);
  const refuse = () => validation(`parsing time "${text}" as "${GO_LAYOUT}": cannot parse "${text}" as "${GO_LAYOUT}"`);
  if (!match) throw refuse();
  const [, year, month, day, hour, minute, second, fraction = '', zulu, sign, offsetHours = '0', offsetMinutes = '0'] =
    match as unknown as string[];
  const date = new Date(0);
  date.setUTCFullYear(Number(year), Number(month) - 1, Number(day));
  date.setUTCHours(Number(hour), Number(minute), Number(second));
  // time.Parse range checks: no 2025-02-30, no 24:00, no :60.
  if (
    date.getUTCFullYear() !== Number(year) ||
    date.getUTCMonth() !== Number(month) - 1 ||
    date.getUTCDate() !== Number(day) ||
    Number(hour) > 23 ||
    Number(minute) > 59 ||
    Number(second) > 59
  )
    throw refuse();
  if (!zulu && (Number(offsetHours) > 23 || Number(offsetMinutes) > 59)) throw refuse();
  // Nanoseconds (digits past 9 dropped, as parseNanoseconds does), then Round(time.Microsecond): halves up.
  const nanos = BigInt(fraction.slice(0, 9).padEnd(9, '0'));
  const micros = nanos / 1000n + (nanos % 1000n >= 500n ? 1n : 0n);
  const offset = zulu
    ? 0n
    : (sign === '-' ? -1n : 1n) * BigInt(Number(offsetHours) * 3600 + Number(offsetMinutes) * 60);
  return (BigInt(date.getTime() / 1000) - offset) * 1_000_000n + micros;
}

/** Go's zero `time.Time` (0001-01-01T00:00:00Z): a date parameter holding it counts as absent (`UsePIT`, `UseOOT`). */
export const GO_ZERO_TIME_MICROS = -62_135_596_800_000_000n;

/** A date as Go's encoding/json writes a UTC `time.Time`: RFC3339Nano, trailing fraction zeros dropped. */
export function formatGoTime(micros: bigint): string {
  const seconds = micros / 1_000_000n - (micros % 1_000_000n < 0n ? 1n : 0n);
  const fraction = micros - seconds * 1_000_000n;
  const text = new Date(Number(seconds) * 1000).toISOString().slice(0, 19);
  return `${text}${fraction === 0n ? '' : `.${fraction.toString().padStart(6, '0').replace(/0+$/, '')}`}Z`;
}
