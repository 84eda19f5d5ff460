import { NotFoundError, sourceErrorForStatus } from '../../errors.ts';
import type { HttpClient } from '../http/index.ts';
import { readObject, readString, VendorShapeError, type JsonObject } from '../json.ts';
import { pathSegment } from '../path-segment.ts';
import type { AccountRef } from '../types.ts';
import { keepFreshness } from '../read-freshness.ts';
import { isBlnkNotFound, readBlnkList } from './map.ts';

/**
 * Many Blnk records by id in the fewest calls. An `in` filter value may hold at most 100 items and
 * at most 1000 characters, the comma-joined list included (internal/filter/parser.go
 * `defaultMaxInValues`, `defaultMaxCharLen`), so ids are grouped by length: 24 real 40-character
 * `bln_<uuid>` ids fit one GET, and 100 ids take 5.
 */
export const MAX_IN_VALUES = 100;
export const MAX_FILTER_CHARS = 1000;

/** What one id lookup found: the raw record, nothing (absent), or the error of the call that covered it. */
export type Found = JsonObject | Error | undefined;

/**
 * Whether an id can be asked for at all. Blnk generates its ids (`ldg_`/`bln_` + UUID), so an id
 * that cannot travel inside an `in` list or a path segment (a dot segment: path-segment.ts) cannot
 * exist there either.
 */
export function isAskableId(id: string): boolean {
  // The server also trims each `in` value, so " bln_x" would come back as "bln_x".
  return (
    id !== '' &&
    id.trim() === id &&
    !id.includes(',') &&
    !id.includes('/') &&
    Buffer.byteLength(id) <= MAX_FILTER_CHARS &&
    pathSegment(id) !== null
  );
}

/** Splits ids into `in` filter values that the server accepts, keeping their order. */
export function chunkIdsForInFilter(ids: readonly string[]): string[][] {
  const chunks: string[][] = [];
  let chunk: string[] = [];
  let length = 0;
  for (const id of ids) {
    const size = Buffer.byteLength(id); // Go's len() counts bytes
    if (chunk.length > 0 && (chunk.length === MAX_IN_VALUES || length + 1 + size > MAX_FILTER_CHARS)) {
      chunks.push(chunk);
      chunk = [];
      length = 0;
    }
    length += chunk.length === 0 ? size : size + 1;
    chunk.push(id);
  }
  if (chunk.length > 0) chunks.push(chunk);
  return chunks;
}

export interface LookupPlan {
  /** The list path (`/ledgers`, `/balances`) and its id field (`ledger_id`, `balance_id`). */
  readonly path: '/ledgers' | '/balances';
  readonly idField: 'ledger_id' | 'balance_id';
  /** Blnk's "not found" code on the by-id endpoint. */
  readonly notFoundCode: 'LGR_NOT_FOUND' | 'BAL_NOT_FOUND';
  /** `POST /balances/filter` instead of GETs (balances only; the key needs `balances:write`). */
  readonly viaFilterPost?: boolean;
}

/** Every record of a response by its id; an answer that cannot be trusted throws, giving none of its records. */
function recordsOf(body: unknown, plan: LookupPlan, asked: ReadonlySet<string>): Map<string, JsonObject> {
  const records = new Map<string, JsonObject>();
  for (const item of readBlnkList(body, `${plan.path} response`)) {
    const record = readObject(item, 'record');
    const id = readString(record[plan.idField], plan.idField);
    // Servers before 0.13.2 ignore list filters and answer the newest records instead.
    if (!asked.has(id))
      throw new VendorShapeError(`the ${plan.idField}_in filter was ignored (Blnk 0.13.2 or later is needed)`);
    if (records.has(id)) throw new VendorShapeError(`the answer lists one ${plan.idField} twice`);
    // Models are mapped from it after this reading ends (blnk/index.ts): it carries the answer's receive time.
    records.set(id, keepFreshness(record));
  }
  return records;
}

/**
 * Looks up distinct ids, concurrently. One id is one `GET {path}/{id}` (the call Blnk documents);
 * more are `in`-filtered list calls. Ids missing from the result were not found; ids whose call
 * failed map to that call's error, so the rest of a batch still answers.
 */
export async function lookupByIds(
  client: HttpClient,
  ids: readonly string[],
  plan: LookupPlan,
): Promise<Map<string, Found>> {
  const found = new Map<string, Found>();
  const askable = [...new Set(ids)].filter(isAskableId);
  if (askable.length === 1) {
    const [id] = askable as [string];
    try {
      const response = await client.json({
        method: 'GET',
        path: `${plan.path}/${encodeURIComponent(id)}`,
        accept: [400, 404],
      });
      if (response.status === 200)
        for (const [key, record] of client.decode(() => recordsOf([response.body], plan, new Set([id]))))
          found.set(key, record);
      else if (!isBlnkNotFound(response.status, response.body, [plan.notFoundCode]))
        throw sourceErrorForStatus(client.source, response.status);
    } catch (error) {
      found.set(id, error as Error);
    }
    return found;
  }
  const chunks = plan.viaFilterPost ? chunkByCount(askable) : chunkIdsForInFilter(askable);
  await Promise.all(
    chunks.map(async (chunk) => {
      try {
        // Read once per vendor answer (HttpClient.read): every request that joined the GET shares its
        // records, and the same chunk is the same GET, so `asked` is the same for all of them.
        const records = await client.read(
          plan.viaFilterPost
            ? {
                method: 'POST',
                path: '/balances/filter',
                // No length cap on a JSON body, but `limit` above 100 silently becomes 20 (api/filter_helper.go).
                body: {
                  json: { filters: [{ field: plan.idField, operator: 'in', values: chunk }], limit: MAX_IN_VALUES },
                },
              }
            : // `limit` defaults to 10 even when the filter names more ids.
              {
                method: 'GET',
                path: plan.path,
                query: { [`${plan.idField}_in`]: chunk.join(','), limit: chunk.length },
              },
          `lookup:${plan.idField}`,
          ({ body }) => recordsOf(body, plan, new Set(chunk)),
        );
        for (const [id, record] of records) found.set(id, record);
      } catch (error) {
        for (const id of chunk) if (!found.has(id)) found.set(id, error as Error);
      }
    }),
  );
  return found;
}

function chunkByCount(ids: readonly string[]): string[][] {
  const chunks: string[][] = [];
  for (let start = 0; start < ids.length; start += MAX_IN_VALUES) chunks.push(ids.slice(start, start + MAX_IN_VALUES));
  return chunks;
}

/** The balance record behind an account ref: NOT_FOUND when absent or when it lives in another ledger. */
export function balanceRecordFor(
  source: string,
  ref: AccountRef,
  found: ReadonlyMap<string, Found>,
): JsonObject | Error {
  const record = found.get(ref.accountId);
  if (record instanceof Error) return record;
  if (record === undefined || record.ledger_id !== ref.ledgerId) {
    return new NotFoundError(
      `account "${ref.accountId}" was not found in ledger "${ref.ledgerId}" of source "${source}"`,
      { source },
    );
  }
  return record;
}
