import type { Account, Ledger } from './data.ts';
import type { Filter } from './query.ts';
import {
  bare,
  cursorOf,
  internalError,
  missingFeatureFor,
  pagedQuery,
  renderAccount,
  selectAccounts,
  type Amount,
  type PagingRules,
} from './views.ts';
import { sortedKeys, validation, type WireValue } from './wire.ts';

/**
 * Ledger v1 reads (internal/api/v1 of ledger v2.4.6): cursor pages of 15 by default and up to 1000,
 * address ascending; `after`, `page_size` and `pagination_token` are not read by this server.
 */
const V1_PAGING: PagingRules = { defaultSize: 15, maxSize: 1000 };

export interface Reply {
  readonly status: number;
  readonly json: WireValue;
}

const ok = (json: WireValue): Reply => ({ status: 200, json });

/** v1 query parameters as the v1 handlers turn them into a filter (controllers_accounts.go `buildAccountsFilterQuery`). */
function v1Filter(params: URLSearchParams): Filter | null {
  const clauses: Filter[] = [];
  const balance = params.get('balance');
  if (balance) {
    if (!/^-?\d+$/.test(balance) || BigInt(balance) > 2n ** 63n - 1n || BigInt(balance) < -(2n ** 63n)) {
      throw validation(`strconv.ParseInt: parsing "${balance}": value out of range or invalid syntax`);
    }
    // The server's default operator is "eq", which its own switch then refuses.
    const operator = params.get('balanceOperator') || 'eq';
    const value = { balance };
    const operators: Record<string, Filter> = {
      e: { $match: value },
      ne: { $not: { $match: value } },
      lt: { $lt: value },
      lte: { $lte: value },
      gt: { $gt: value },
      gte: { $gte: value },
    };
    const match = operators[operator];
    if (!match) throw validation('invalid balance operator');
    clauses.push(match);
  }
  const address = params.get('address');
  if (address) clauses.push({ $match: { address } });
  for (const [name, value] of params) {
    if (name.startsWith('metadata')) clauses.push({ $match: { [name]: value } });
  }
  if (clauses.length === 0) return null;
  return clauses.length === 1 ? (clauses[0] as Filter) : { $and: clauses };
}

function accountsQuery(params: URLSearchParams, expand: readonly string[]) {
  return pagedQuery(params, V1_PAGING, () => ({
    column: 'address',
    order: 0,
    filters: { pit: null, oot: null, qb: v1Filter(params), expand, opts: null },
  }));
}

/** `GET /{ledger}/accounts`; `expand=volumes` is read though the spec leaves it out. */
export function listAccountsV1(ledger: Ledger, params: URLSearchParams): Reply {
  const query = accountsQuery(params, params.getAll('expand'));
  const expand = query.filters.expand ?? [];
  // v1 only maps ErrMissingFeature to 400; the expand check raises another error type, so it is a 500.
  if (missingFeatureFor(ledger, expand)) throw internalError();
  return ok({
    cursor: cursorOf(selectAccounts(ledger, query), query, (account) => renderAccount(account, expand, bare)),
  });
}

/** `GET /{ledger}/balances`: a page of accounts, each as `{address: {asset: balance}}`. */
export function listBalancesV1(ledger: Ledger, params: URLSearchParams): Reply {
  const query = accountsQuery(params, ['volumes']);
  // The handler lists accounts with volumes expanded, which needs MOVES_HISTORY; the error is not mapped: 500.
  if (missingFeatureFor(ledger, ['volumes'])) throw internalError();
  const render = (account: Account): WireValue => ({
    [account.address]: Object.fromEntries(
      sortedKeys(account.volumes).map((asset) => {
        const volumes = account.volumes.get(asset);
        return [asset, volumes ? volumes.input - volumes.output : 0n];
      }),
    ),
  });
  return ok({ cursor: cursorOf(selectAccounts(ledger, query), query, render) });
}

/** `GET /{ledger}/accounts/{address}`: the address is matched like a filter; unknown is a 200 with nothing in it. */
export function readAccountV1(ledger: Ledger, rawAddress: string): Reply {
  let address: string;
  try {
    address = decodeURIComponent(rawAddress);
  } catch {
    throw validation(`invalid URL escape "${rawAddress.slice(0, 20)}"`);
  }
  if (missingFeatureFor(ledger, ['volumes'])) throw internalError();
  const query = accountsQuery(new URLSearchParams({ address }), ['volumes']);
  const account = selectAccounts(ledger, query)[0];
  if (!account) {
    const zero = '0001-01-01T00:00:00Z';
    return ok({
      data: { address, metadata: {}, firstUsage: zero, insertionDate: zero, updatedAt: zero, balances: {} },
    });
  }
  const balances = Object.fromEntries(
    sortedKeys(account.volumes).map((asset) => {
      const volumes = account.volumes.get(asset);
      return [asset, volumes ? volumes.input - volumes.output : 0n];
    }),
  );
  return ok({ data: { ...(renderAccount(account, ['volumes'], bare) as Record<string, WireValue>), balances } });
}

/** Per-asset sums over the accounts a filter selects (the whole ledger when none). */
export function aggregate(accounts: readonly Account[], amount: Amount = bare): WireValue {
  const sums = new Map<string, bigint>();
  for (const account of accounts) {
    for (const [asset, volumes] of account.volumes)
      sums.set(asset, (sums.get(asset) ?? 0n) + volumes.input - volumes.output);
  }
  return Object.fromEntries(sortedKeys(sums).map((asset) => [asset, amount(sums.get(asset) as bigint)]));
}

/** `GET /{ledger}/aggregate/balances?address=`. */
export function aggregateBalancesV1(ledger: Ledger, params: URLSearchParams): Reply {
  const address = params.get('address');
  const query = accountsQuery(new URLSearchParams(address ? { address } : {}), []);
  return ok({ data: aggregate(selectAccounts(ledger, query)) });
}

/** `GET /_info`: the server and every ledger name, unpaged, in creation order. */
export function serverInfo(ledgers: readonly Ledger[]): Reply {
  return ok({
    data: {
      server: 'ledger',
      version: 'v2.4.6',
      config: {
        storage: { driver: 'postgres', ledgers: ledgers.map((ledger) => ledger.name) },
        schemaEnforcementMode: 'audit',
      },
      experimentalFeatures: [],
    },
  });
}
