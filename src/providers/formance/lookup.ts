import { NotFoundError, sourceErrorForStatus } from '../../errors.ts';
import type { WalkBounds } from '../../relay/walk-guard.ts';
import { followPages } from '../walks.ts';
import type { AccountModel, AccountRef, BalanceModel } from '../types.ts';
import type { FormanceApi, FormanceReply } from './api.ts';
import { isFormanceLedgerName, ledgerNotFound, type LedgerDirectory } from './facts.ts';
import { mapFormanceAccount, mapFormanceVolumesRow, readFormanceLookupPage, unreadableVolumes } from './map.ts';
import { FORMANCE_PAGE_SIZE, rowKey } from './paging.ts';

/**
 * Account lookups by address, batch-first: keys are grouped by ledger, and each group is one v2
 * list call per 100 addresses with the filter `{"$in": {"address": [...]}}` (ledger ≥ 2.4.0). The
 * filter travels in the `query` parameter, which the server reads before the body
 * (internal/api/v2/common.go `getQueryBuilder`): undici sends no body with a GET.
 */

/** Full addresses (ledger pkg/accounts `Pattern`); anything else cannot name an account, and `$in` refuses patterns. */
const ADDRESS = /^[a-zA-Z0-9_-]+(?::[a-zA-Z0-9_-]+)*$/;

export function isFormanceAddress(address: string): boolean {
  return ADDRESS.test(address);
}

export interface FormanceLookupContext {
  readonly api: FormanceApi;
  readonly directory: LedgerDirectory;
  /** The source's walk bounds: every loop over next cursors here is one walk. */
  readonly walk: WalkBounds;
}

/** A 400 for an `expand=volumes` (or a dated volumes read) the ledger's features do not allow. */
export class MissingMovesHistory extends Error {}

export function accountNotFound(source: string, ref: AccountRef): NotFoundError {
  return new NotFoundError(
    `account "${ref.accountId}" was not found in ledger "${ref.ledgerId}" of source "${source}"`,
    { source },
  );
}

export function checkReply(api: FormanceApi, ledgerId: string, reply: FormanceReply): void {
  if (reply.status === 404 && reply.errorCode === 'LEDGER_NOT_FOUND') throw ledgerNotFound(api.source, ledgerId);
  // Without MOVES_HISTORY=ON even a current-volumes expand is refused (resource_accounts.go `Expand`),
  // and so is any dated volumes read (resource_volumes.go: `missing feature "MOVES_HISTORY"`).
  if (reply.status === 400 && reply.errorCode === 'VALIDATION' && reply.errorMessage?.includes('MOVES_HISTORY'))
    throw new MissingMovesHistory();
  if (reply.status === 400 || reply.status === 404) throw sourceErrorForStatus(api.source, reply.status);
}

/**
 * Every row of a v2 list filtered on `addresses`, 100 addresses a call, following `next` while
 * `hasMore` (one walk per call), each row mapped by `mapRow`. A page is checked and mapped once per
 * vendor answer (`as` names the mapping, with what it depends on beyond the request): the addresses
 * it is checked against are its call's own, which its query names, or its vendor cursor, which
 * embeds that query.
 */
async function readIn<T>(
  context: FormanceLookupContext,
  ledgerId: string,
  path: string,
  addresses: readonly string[],
  extra: Record<string, string>,
  as: string,
  mapRow: (item: unknown) => T,
): Promise<T[]> {
  const { api } = context;
  const rows: T[] = [];
  for (let start = 0; start < addresses.length; start += FORMANCE_PAGE_SIZE) {
    const asked = addresses.slice(start, start + FORMANCE_PAGE_SIZE);
    const filter = JSON.stringify({ $in: { address: asked } });
    await followPages(context.walk, rowKey, async (cursor) => {
      // The first page carries the filter; a vendor cursor alone reads on (it embeds the query).
      const query = cursor === null ? { pageSize: FORMANCE_PAGE_SIZE, query: filter, ...extra } : { cursor };
      const reply = await api.get(`/v2/${ledgerId}${path}`, query, [400, 404]);
      checkReply(api, ledgerId, reply);
      const page = reply.read(`lookup:${as}`, (body) => {
        const read = readFormanceLookupPage(body, path, asked);
        return { data: read.data, next: read.next, rows: read.data.map(mapRow) };
      });
      rows.push(...page.rows);
      return { records: page.data, next: page.next };
    });
  }
  return rows;
}

export async function readAccountsIn(
  context: FormanceLookupContext,
  ledgerId: string,
  addresses: readonly string[],
  withVolumes: boolean,
): Promise<Map<string, AccountModel>> {
  const { source } = context.api;
  const accounts = await readIn(
    context,
    ledgerId,
    '/accounts',
    addresses,
    withVolumes ? { expand: 'volumes' } : {},
    `accounts:${withVolumes ? 'volumes' : 'plain'}`,
    (item) => mapFormanceAccount(source, ledgerId, item, withVolumes),
  );
  return new Map(accounts.map((account) => [account.accountId, account]));
}

/** `/v2/{ledger}/volumes`: current volumes need no ledger feature, one row per (account, asset). */
async function readVolumesIn(
  context: FormanceLookupContext,
  ledgerId: string,
  addresses: readonly string[],
): Promise<Map<string, BalanceModel[]>> {
  const { source } = context.api;
  const found = new Map<string, BalanceModel[]>();
  const balances = await readIn(context, ledgerId, '/volumes', addresses, {}, 'volumes', (item) =>
    mapFormanceVolumesRow(source, ledgerId, item),
  );
  for (const balance of balances) {
    const list = found.get(balance.accountId) ?? [];
    // Rows are account then asset ascending; keep the first of a row repeated across pages.
    if (!list.some((known) => known.balanceId === balance.balanceId)) list.push(balance);
    found.set(balance.accountId, list);
  }
  return found;
}

/** Runs `lookup` once per ledger with that ledger's distinct valid addresses; one failing ledger fails only its own slots. */
async function perLedger<T>(
  context: FormanceLookupContext,
  refs: readonly AccountRef[],
  lookup: (ledgerId: string, addresses: string[]) => Promise<Map<string, T>>,
): Promise<Array<T | Error>> {
  const source = context.api.source;
  const results: Array<T | Error> = refs.map((ref) => accountNotFound(source, ref));
  const groups = new Map<string, number[]>();
  for (const [index, ref] of refs.entries()) groups.set(ref.ledgerId, [...(groups.get(ref.ledgerId) ?? []), index]);
  await Promise.all(
    [...groups].map(async ([ledgerId, indexes]) => {
      if (!isFormanceLedgerName(ledgerId)) {
        for (const index of indexes) results[index] = ledgerNotFound(source, ledgerId);
        return;
      }
      const addresses = [...new Set(indexes.map((index) => (refs[index] as AccountRef).accountId))].filter((address) =>
        ADDRESS.test(address),
      );
      try {
        const found = addresses.length > 0 ? await lookup(ledgerId, addresses) : new Map<string, T>();
        for (const index of indexes) {
          const value = found.get((refs[index] as AccountRef).accountId);
          if (value !== undefined) results[index] = value;
        }
      } catch (error) {
        for (const index of indexes) results[index] = error instanceof Error ? error : new Error(String(error));
      }
    }),
  );
  return results;
}

/** Tries the expanded read unless the ledger is known to refuse it; remembers a refusal. */
async function withVolumesIfAllowed<T>(
  context: FormanceLookupContext,
  ledgerId: string,
  expanded: () => Promise<T>,
  fallback: () => Promise<T>,
): Promise<T> {
  if (context.directory.knownMovesHistory(ledgerId) === false) return fallback();
  try {
    return await expanded();
  } catch (error) {
    if (!(error instanceof MissingMovesHistory)) throw error;
    context.directory.recordNoMovesHistory(ledgerId);
    return fallback();
  }
}

/** Accounts by address, with their balances attached when the ledger can expand volumes in the same call. */
export function getFormanceAccounts(
  context: FormanceLookupContext,
  refs: readonly AccountRef[],
): Promise<Array<AccountModel | Error>> {
  return perLedger(context, refs, (ledgerId, addresses) =>
    withVolumesIfAllowed(
      context,
      ledgerId,
      () => readAccountsIn(context, ledgerId, addresses, true),
      () => readAccountsIn(context, ledgerId, addresses, false),
    ),
  );
}

/**
 * All balances of each account: one `accounts?expand=volumes` call per 100 accounts. A ledger without
 * MOVES_HISTORY reads `/volumes` instead, plus one account read for the addresses with no volumes
 * at all, to tell an account without balances from one that does not exist.
 */
export function getFormanceAccountBalances(
  context: FormanceLookupContext,
  refs: readonly AccountRef[],
): Promise<Array<readonly BalanceModel[] | Error>> {
  return perLedger(context, refs, (ledgerId, addresses) =>
    withVolumesIfAllowed(
      context,
      ledgerId,
      async () =>
        new Map(
          [...(await readAccountsIn(context, ledgerId, addresses, true))].map(([address, account]) => [
            address,
            account.balances ?? unreadableVolumes(context.api.source),
          ]),
        ),
      async () => {
        const found = await readVolumesIn(context, ledgerId, addresses);
        const unseen = addresses.filter((address) => !found.has(address));
        if (unseen.length > 0)
          for (const address of (await readAccountsIn(context, ledgerId, unseen, false)).keys()) found.set(address, []);
        return found;
      },
    ),
  );
}
