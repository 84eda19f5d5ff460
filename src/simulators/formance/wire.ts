/**
 * The Formance ledger's wire habits: Go's encoding/json (big.Int written as bare digits, map keys
 * sorted), go-libs `bunpaginate` cursors (base64url JSON of the whole query) and its page-size rules.
 */

/** A JSON value whose bigints are written as unquoted integers, as Go writes `*big.Int`. */
export type WireValue = string | number | boolean | null | bigint | readonly WireValue[] | { readonly [key: string]: WireValue | undefined };

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
  readonly filters: { readonly pit: null; readonly oot: null; readonly qb: unknown; readonly expand?: readonly string[]; readonly opts: unknown };
  readonly offset: number;
}

export function encodeCursor(query: OffsetQuery): string {
  return Buffer.from(JSON.stringify(query)).toString('base64url');
}

export function decodeCursor(text: string): OffsetQuery {
  try {
    const query = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as OffsetQuery;
    if (typeof query !== 'object' || query === null || !Number.isSafeInteger(query.offset) || !Number.isSafeInteger(query.pageSize)) throw new Error('shape');
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
    previous: query.offset > 0 ? encodeCursor({ ...query, offset: Math.max(0, query.offset - query.pageSize) }) : undefined,
    next: hasMore ? encodeCursor({ ...query, offset: query.offset + query.pageSize }) : undefined,
    data,
  };
}
