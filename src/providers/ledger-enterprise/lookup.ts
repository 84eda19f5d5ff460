import type { AccountModel, AccountRef, BalanceModel } from '../types.ts';
import {
  figuresOf,
  mapVaultAccount,
  mapVaultAccountWithBalance,
  mapVaultBalance,
  readBalancesBody,
  readVaultAccountAt,
  type VaultAccount,
} from './map.ts';
import { mapWithConcurrency } from '../concurrency.ts';
import { accountNotFound, isAskable, rememberAccount, scalesOf, type VaultContext } from './facts.ts';

/**
 * Lookups by id. The search's `id` filter takes a single integer and there is no multi-id read, so
 * a batch fans out one call per distinct id under the connector's concurrency cap, each id asked
 * once. An unknown id is a 404 `Error` ("Account not found").
 */

/** `GET /accounts/{id}`; null when the account does not exist. */
export async function readAccountById(context: VaultContext, accountId: string): Promise<VaultAccount | null> {
  const response = await context.client.json({ method: 'GET', path: `/accounts/${accountId}`, accept: [404] });
  if (response.status === 404) return null;
  const account = context.client.decode(() => readVaultAccountAt(response.body, accountId));
  rememberAccount(context, account);
  return account;
}

/** Runs `lookup` once per distinct askable id; the others are NOT_FOUND without a call. Results in ref order. */
export async function perAccount<T>(
  context: VaultContext,
  refs: readonly AccountRef[],
  lookup: (accountId: string) => Promise<T>,
): Promise<Array<T | Error>> {
  const ids = [...new Set(refs.filter((ref) => isAskable(context, ref)).map((ref) => ref.accountId))];
  const results = await mapWithConcurrency(ids, context.concurrency, lookup);
  const byId = new Map(ids.map((id, index) => [id, results[index] as T | Error]));
  return refs.map((ref) =>
    isAskable(context, ref) ? (byId.get(ref.accountId) as T | Error) : accountNotFound(context, ref.accountId),
  );
}

/** Accounts with their balance attached (the account read carries it): one read per id, then one currency read per new asset. */
export async function getVaultAccounts(
  context: VaultContext,
  refs: readonly AccountRef[],
): Promise<Array<AccountModel | Error>> {
  const read = await perAccount(
    context,
    refs,
    async (accountId) => (await readAccountById(context, accountId)) ?? accountNotFound(context, accountId),
  );
  const found = read.filter((item): item is VaultAccount => !(item instanceof Error));
  const scales = await scalesOf(context, found);
  return read.map((item) => {
    if (item instanceof Error) return item;
    const scale = scales.get(item.asset);
    // Without its scale the account still answers; the balance read reports the problem.
    return mapVaultAccountWithBalance(context, item, typeof scale === 'number' ? scale : undefined);
  });
}

/**
 * The balance of one account, in one call. Once the account's currency is known (any earlier read
 * of it), `GET /accounts/{id}/balances` answers its figures in the plain or the Bitcoin shape. A
 * Solana account's `/balances` carries staking figures only, so its figures come from the account
 * read, which is also the one call for an account seen for the first time (it names the currency).
 */
export async function readVaultBalances(context: VaultContext, accountId: string): Promise<BalanceModel[]> {
  const facts = context.facts.get(accountId);
  if (facts && !facts.solana) {
    const response = await context.client.json({
      method: 'GET',
      path: `/accounts/${accountId}/balances`,
      accept: [404],
    });
    if (response.status === 404) throw accountNotFound(context, accountId);
    const figures = context.client.decode(() => readBalancesBody(response.body));
    if (figures !== null) {
      const scale = await context.scales.get(context, facts.asset, accountId);
      return [mapVaultBalance(context, accountId, facts.asset, scale, figures)];
    }
    context.facts.set(accountId, { ...facts, solana: true }); // a staking-only answer: read the account from now on
  }
  const account = await readAccountById(context, accountId);
  if (account === null) throw accountNotFound(context, accountId);
  const scale = await context.scales.get(context, account.asset, accountId);
  const figures = context.client.decode(() => figuresOf(account));
  return [mapVaultBalance(context, accountId, account.asset, scale, figures, mapVaultAccount(context, account))];
}

export function getVaultAccountBalances(
  context: VaultContext,
  refs: readonly AccountRef[],
): Promise<Array<readonly BalanceModel[] | Error>> {
  return perAccount(context, refs, (accountId) => readVaultBalances(context, accountId));
}
