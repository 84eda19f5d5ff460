import type { LedgerEnterpriseData, SeedAccount } from './data.ts';
import { totalAt } from './data.ts';
import {
  accountJson,
  balancesJson,
  currencyInfoJson,
  errorReply,
  formatPythonTime,
  matchesCurrency,
  parseDateTime,
  type Reply,
} from './wire.ts';

/**
 * The Vault API v1 account reads the gateway uses, as the spec describes them: the account search,
 * an account, its balances, its balance history and its currency.
 */

/** What `page_size=0` or `-1` means: "a maximum defined in the gate". Larger sizes are cut to it too. */
export const GATE_MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

const SEARCH_PARAMETERS = new Set([
  'account_label',
  'account_type',
  'created_after',
  'created_before',
  'currency',
  'entity',
  'group',
  'id',
  'name',
  'order',
  'order_by',
  'page',
  'page_size',
  'parent',
  'status',
  'user',
]);
const ACCOUNT_TYPES = new Set([
  'Bep20',
  'Bitcoin',
  'Cardano',
  'Cosmos',
  'Erc20',
  'Ethereum',
  'Generic',
  'Near',
  'Polkadot',
  'Polygon',
  'Ripple',
  'Solana',
  'Stellar',
  'Tezos',
  'Trc20',
  'Tron',
]);
const STATUSES = new Set([
  'ACTIVATION_ABORTED',
  'ACTIVE',
  'APPROVED',
  'HSM_COIN_UPDATED',
  'PENDING',
  'PENDING_ACTIVATION',
  'PENDING_CREATE_IN_HSM',
  'PENDING_VIEW_ONLY',
  'REJECTED',
  'VIEW_ONLY',
]);
const ORDER_KEYS: Readonly<Record<string, (account: SeedAccount) => number | string>> = {
  created_on: (account) => account.createdOnMicros,
  id: (account) => account.id,
  name: (account) => account.name.toLowerCase(),
};

const ok = (json: unknown): Reply => ({ status: 200, json });
const invalid = (parameter: string) => errorReply(400, `Invalid search parameter: ${parameter}`);
const notFound = () => errorReply(404, 'Account not found');
const integer = (text: string): number | null => (/^-?\d{1,15}$/.test(text) ? Number(text) : null);

/** The accounts a search matches, in its order (default: creation date, newest first), or the 400 it answers. */
export function matchAccounts(data: LedgerEnterpriseData, query: URLSearchParams): SeedAccount[] | Reply {
  const tests: Array<(account: SeedAccount) => boolean> = [];
  for (const [name, value] of query) {
    if (name === 'id' || name === 'parent') {
      const wanted = integer(value);
      if (wanted === null) return invalid(name);
      tests.push((account) => (name === 'id' ? account.id : account.parent) === wanted);
    } else if (name === 'currency') {
      tests.push((account) => matchesCurrency(account, value));
    } else if (name === 'name') {
      tests.push((account) => account.name.toLowerCase().includes(value.toLowerCase()));
    } else if (name === 'account_type') {
      if (!ACCOUNT_TYPES.has(value)) return invalid(name);
      tests.push((account) => account.currency.type === value);
    } else if (name === 'status') {
      if (!STATUSES.has(value)) return invalid(name);
      tests.push((account) => account.status === value);
    } else if (name === 'created_after' || name === 'created_before') {
      const bound = parseDateTime(value);
      if (bound === null) return invalid(name);
      tests.push((account) =>
        name === 'created_after' ? account.createdOnMicros > bound : account.createdOnMicros < bound,
      );
    }
    // entity, group, user and account_label: the seed has no entities, groups, users or label filters to match; accepted, no effect.
  }
  const key = ORDER_KEYS[query.get('order_by') ?? 'created_on'];
  if (!key) return invalid('order_by');
  const order = query.get('order') ?? 'desc';
  if (order !== 'asc' && order !== 'desc') return invalid('order');
  const direction = order === 'asc' ? 1 : -1;
  return data.accounts
    .filter((account) => tests.every((test) => test(account)))
    .sort((a, b) => {
      const [x, y] = [key(a), key(b)];
      return direction * (x < y ? -1 : x > y ? 1 : 0) || direction * (a.id - b.id);
    });
}

/** `GET /accounts`: the page of the matching accounts, `page_info.count` being all of them. */
export function searchAccounts(data: LedgerEnterpriseData, query: URLSearchParams): Reply {
  for (const name of query.keys())
    if (!SEARCH_PARAMETERS.has(name)) return errorReply(404, `This search parameter doesn't exist: ${name}`);
  const page = integer(query.get('page') ?? '1');
  if (page === null || page < 1) return invalid('page');
  const requested = integer(query.get('page_size') ?? String(DEFAULT_PAGE_SIZE));
  if (requested === null || requested < -1) return invalid('page_size');
  const size = requested <= 0 ? GATE_MAX_PAGE_SIZE : Math.min(requested, GATE_MAX_PAGE_SIZE);
  const rows = matchAccounts(data, query);
  if (!Array.isArray(rows)) return rows;
  const start = (page - 1) * size;
  return ok({
    edges: rows.slice(start, start + size).map((account, index) => ({ cursor: index, node: accountJson(account) })),
    page_info: { count: rows.length, has_next_page: start + size < rows.length },
  });
}

function findAccount(data: LedgerEnterpriseData, id: string): SeedAccount | undefined {
  const wanted = integer(id);
  return wanted === null ? undefined : data.accounts.find((account) => account.id === wanted);
}

export function getAccount(data: LedgerEnterpriseData, id: string): Reply {
  const account = findAccount(data, id);
  return account ? ok(accountJson(account)) : notFound();
}

export function getBalances(data: LedgerEnterpriseData, id: string): Reply {
  const account = findAccount(data, id);
  return account ? ok(balancesJson(account)) : notFound();
}

/** `GET /accounts/{id}/currency`: the units; magnitude 0 is the unit amounts are written in. */
export function getCurrency(data: LedgerEnterpriseData, id: string): Reply {
  const account = findAccount(data, id);
  return account
    ? ok({ amount_units: account.currency.amountUnits, fees_units: account.currency.feesUnits })
    : notFound();
}

/**
 * `GET /accounts/{id}/balances/history?start&end`: the balance at `start` (when the account held
 * one then), then one point per change up to `end`. A missing bound defaults to now, as the spec's
 * generation-time defaults do. 501 for a currency without history.
 */
export function getHistory(data: LedgerEnterpriseData, id: string, query: URLSearchParams, now: number): Reply {
  const account = findAccount(data, id);
  if (!account) return notFound();
  const start = query.has('start') ? parseDateTime(query.get('start') ?? '') : now;
  const end = query.has('end') ? parseDateTime(query.get('end') ?? '') : now;
  if (start === null) return errorReply(400, 'Invalid date-time: start');
  if (end === null) return errorReply(400, 'Invalid date-time: end');
  if (start > end) return errorReply(400, 'start must not be after end');
  if (!account.currency.history) return errorReply(501, 'Not supported for this currency');
  const balances: Array<{ date: string; value: string | null }> = [];
  const opening = totalAt(account, start);
  if (opening !== null) balances.push({ date: formatPythonTime(start), value: opening.toString() });
  for (const movement of account.movements) {
    if (movement.atMicros > start && movement.atMicros <= end)
      balances.push({ date: formatPythonTime(movement.atMicros), value: movement.total.toString() });
  }
  return ok({ account_index: account.index, balances, currency: currencyInfoJson(account) });
}

/** Dispatches a request; the path is still percent-encoded. */
export function route(
  data: LedgerEnterpriseData,
  method: string,
  path: string,
  query: URLSearchParams,
  now: number,
): Reply {
  const [resource, id, tail, subtail, ...rest] = path.split('/').slice(1);
  if (resource !== 'accounts' || rest.length > 0) return errorReply(404, 'Not Found');
  if (method !== 'GET')
    return { status: 405, json: { message: 'Method Not Allowed', name: 'MethodNotAllowed', status_code: 405 } };
  if (id === undefined || id === '')
    return tail === undefined ? searchAccounts(data, query) : errorReply(404, 'Not Found');
  if (tail === undefined) return getAccount(data, id);
  if (tail === 'balances' && subtail === undefined) return getBalances(data, id);
  if (tail === 'balances' && subtail === 'history') return getHistory(data, id, query, now);
  if (tail === 'currency' && subtail === undefined) return getCurrency(data, id);
  return errorReply(404, 'Not Found');
}
