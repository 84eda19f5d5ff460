import { NotFoundError } from '../../errors.ts';
import type { WalkBounds } from '../../relay/walk-guard.ts';
import { readArray, readObject, readOptionalString } from '../json.ts';
import { requireDistinct } from '../answer-checks.ts';
import { followPages } from '../walks.ts';
import type { AccountModel, AccountRef, BalanceModel, LedgerModel, LedgerRef } from '../types.ts';
import { unexpected, type MidazApi } from './api.ts';
import { mapMidazAccountAt, mapMidazAccountBalances, mapMidazLedgerAt } from './map.ts';
import { MIDAZ_MAX_LIMIT, midazRowKey } from './paging.ts';

/**
 * Lookups by id. Midaz has no multi-id read (the repositories' `ListByAccountIDs` is not exposed),
 * so a batch fans out one call per distinct key, each key asked once, under the API's concurrency
 * cap. Ids that are not UUIDs cannot exist there (the server answers 400 code 0065), so they are
 * NOT_FOUND without a call. An unknown ledger or account by id is 404 code 0007.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isMidazId(id: string): boolean {
  return UUID.test(id);
}

export interface LookupContext {
  readonly api: MidazApi;
  readonly scales: Readonly<Record<string, number>>;
  /** The source's walk bounds: the account-balances loop over next cursors is one walk. */
  readonly walk: WalkBounds;
}

export const ledgerNotFound = (source: string, ledgerId: string) =>
  new NotFoundError(`ledger "${ledgerId}" was not found at source "${source}"`, { source });
export const accountNotFound = (source: string, ref: AccountRef) =>
  new NotFoundError(`account "${ref.accountId}" was not found in ledger "${ref.ledgerId}" of source "${source}"`, {
    source,
  });

/** Runs `lookup` once per distinct key, concurrently; each ref gets its key's value or error. */
async function perKey<R extends LedgerRef, T>(
  refs: readonly R[],
  key: (ref: R) => string,
  lookup: (ref: R) => Promise<T | Error>,
): Promise<Array<T | Error>> {
  const distinct = new Map<string, Promise<T | Error>>();
  for (const ref of refs) {
    const name = key(ref);
    if (!distinct.has(name))
      distinct.set(
        name,
        lookup(ref).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error)))),
      );
  }
  return Promise.all(refs.map((ref) => distinct.get(key(ref)) as Promise<T | Error>));
}

const ledgerPath = (ledgerId: string) => `/ledgers/${ledgerId.toLowerCase()}`;
const accountPath = (ref: AccountRef) => `${ledgerPath(ref.ledgerId)}/accounts/${ref.accountId.toLowerCase()}`;
const accountKey = (ref: AccountRef) => `${ref.ledgerId.toLowerCase()}/${ref.accountId.toLowerCase()}`;

export function getMidazLedgers(
  { api }: LookupContext,
  refs: readonly LedgerRef[],
): Promise<Array<LedgerModel | Error>> {
  return perKey(
    refs,
    (ref) => ref.ledgerId.toLowerCase(),
    async (ref) => {
      if (!isMidazId(ref.ledgerId)) return ledgerNotFound(api.source, ref.ledgerId);
      const reply = await api.get(ledgerPath(ref.ledgerId), undefined, [404]);
      if (reply.status === 404)
        return reply.code === '0007' ? ledgerNotFound(api.source, ref.ledgerId) : unexpected(api, reply);
      // Named with the id as asked: the model spells it so, and the path only in lower case.
      return reply.read(`ledger:${ref.ledgerId}`, (body) => mapMidazLedgerAt(api.source, ref.ledgerId, body));
    },
  );
}

/** One account read; null when it does not exist. */
async function readAccount(api: MidazApi, ref: AccountRef): Promise<AccountModel | null> {
  if (!isMidazId(ref.ledgerId) || !isMidazId(ref.accountId)) return null;
  const reply = await api.get(accountPath(ref), undefined, [404]);
  if (reply.status === 404) {
    if (reply.code === '0007') return null;
    throw unexpected(api, reply);
  }
  return reply.read(`account:${ref.ledgerId}/${ref.accountId}`, (body) => mapMidazAccountAt(api.source, ref, body));
}

export function getMidazAccounts(
  { api }: LookupContext,
  refs: readonly AccountRef[],
): Promise<Array<AccountModel | Error>> {
  return perKey(refs, accountKey, async (ref) => (await readAccount(api, ref)) ?? accountNotFound(api.source, ref));
}

/**
 * All balances of each account: `…/accounts/{id}/balances`, 100 a page, following `next_cursor`
 * (forward pages are not affected by the backward-paging trap). The endpoint does not check the
 * account (an unknown one has no balances), so an empty answer is followed by an account read.
 * Each page is checked and mapped once per vendor answer; a balance listed on two pages is checked per request.
 */
export function getMidazAccountBalances(
  { api, scales, walk }: LookupContext,
  refs: readonly AccountRef[],
): Promise<Array<readonly BalanceModel[] | Error>> {
  return perKey(refs, accountKey, async (ref) => {
    if (!isMidazId(ref.ledgerId) || !isMidazId(ref.accountId)) return accountNotFound(api.source, ref);
    const pages: Array<readonly BalanceModel[]> = [];
    const rows = await followPages(walk, midazRowKey, async (cursor) => {
      const reply = await api.get(`${accountPath(ref)}/balances`, {
        limit: MIDAZ_MAX_LIMIT,
        sort_order: 'asc',
        cursor: cursor ?? undefined,
      });
      const page = reply.read(`account balances:${ref.ledgerId}/${ref.accountId}`, (body) => {
        const read = readPage(body);
        // A record twice in the page is a bad answer, checked here only (the walk guard leaves it to answer-checks.ts).
        requireDistinct(read.items, midazRowKey, 'balances');
        return { ...read, balances: mapMidazAccountBalances(api.source, ref, read.items, scales) };
      });
      pages.push(page.balances);
      return { records: page.items, next: page.next ?? null };
    });
    if (rows.length === 0) return (await readAccount(api, ref)) === null ? accountNotFound(api.source, ref) : [];
    if (pages.length === 1) return pages[0] as readonly BalanceModel[];
    api.decode(() => requireDistinct(rows, midazRowKey, 'balances'));
    return pages.flat();
  });
}

function readPage(body: unknown): { items: unknown[]; next: string | undefined } {
  const page = readObject(body, 'account balances');
  return {
    items: readArray(page.items, 'account balances items'),
    next: readOptionalString(page.next_cursor, 'next_cursor') || undefined,
  };
}
