import { type Answer, execute, type ExecuteOptions, type GatewayError } from './execute.ts';
import type { LedgerAccountsQuery, LedgersPageQuery } from './gql/graphql.ts';
import { AccountHistoryDocument, LedgerAccountsDocument, LedgersPageDocument } from './operations.ts';

export type LedgerSummary = LedgersPageQuery['ledgers']['edges'][number]['node'];
export type AccountWithBalances = NonNullable<
  Extract<LedgerAccountsQuery['node'], { accounts: unknown }>['accounts']
>['nodes'][number];

/**
 * Every ledger of every source, page by page along `pageInfo.endCursor`, at most `maxPages`
 * pages (a client bounds its own loops too). `complete` is false when pages were left unread.
 */
export async function listLedgers(
  endpoint: string,
  { pageSize = 20, maxPages = 10, ...options }: { pageSize?: number; maxPages?: number } & ExecuteOptions = {},
): Promise<{ ledgers: LedgerSummary[]; pages: number; complete: boolean; errors: GatewayError[] }> {
  const ledgers: LedgerSummary[] = [];
  const errors: GatewayError[] = [];
  let after: string | null = null;
  for (let pages = 1; pages <= maxPages; pages++) {
    const answer: Answer<LedgersPageQuery> = await execute(
      endpoint,
      LedgersPageDocument,
      { first: pageSize, after },
      options,
    );
    errors.push(...answer.errors);
    const page = answer.data?.ledgers;
    if (page === undefined) return { ledgers, pages, complete: false, errors };
    ledgers.push(...page.edges.map((edge) => edge.node));
    if (!page.pageInfo.hasNextPage || page.pageInfo.endCursor === null)
      return { ledgers, pages, complete: true, errors };
    after = page.pageInfo.endCursor;
  }
  return { ledgers, pages: maxPages, complete: false, errors };
}

/** A ledger's first accounts and their balances, by the ledger's global id; null when there is no such ledger. */
export async function ledgerAccounts(
  endpoint: string,
  ledgerId: string,
  first = 5,
  options: ExecuteOptions = {},
): Promise<{ accounts: AccountWithBalances[] | null; errors: readonly GatewayError[] }> {
  const answer = await execute(endpoint, LedgerAccountsDocument, { id: ledgerId, first }, options);
  const ledger = answer.data?.node;
  const accounts = ledger && 'accounts' in ledger ? (ledger.accounts?.nodes ?? null) : null;
  return { accounts, errors: answer.errors };
}

/** An account's balance in `asset` at midnight UTC of each of the last `days` days, oldest first. */
export async function dailyHistory(
  endpoint: string,
  accountId: string,
  asset: string,
  { days = 7, now = new Date(), ...options }: { days?: number; now?: Date } & ExecuteOptions = {},
) {
  const day = 86_400_000;
  const to = new Date(Math.floor(now.getTime() / day) * day);
  const from = new Date(to.getTime() - (days - 1) * day);
  const answer = await execute(
    endpoint,
    AccountHistoryDocument,
    { id: accountId, asset, from: from.toISOString(), to: to.toISOString() },
    options,
  );
  const account = answer.data?.node;
  const points = account && 'history' in account ? (account.history?.nodes ?? null) : null;
  return { points, errors: answer.errors };
}
