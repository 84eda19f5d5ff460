import { isLosslessNumber, parse } from 'lossless-json';
import type { Account } from './data.ts';
import { validation } from './wire.ts';

/**
 * The ledger's filters: v1 `address` patterns and the v2 JSON query DSL (`$match`, `$in`, `$and`,
 * `$or`, `$not`, `$exists`, `$gt`…), evaluated the way ledger v2.4.6 storage does
 * (internal/storage/ledger/utils.go `filterAccountAddress`, resource_accounts.go, resource_volumes.go).
 */

export type Filter = { readonly [operator: string]: unknown };

/**
 * Address patterns as released in 2.4.x: an address without empty segments and without a trailing
 * `...` is exact; otherwise non-empty segments must match by position, and unless the last segment
 * is empty the depth must equal the pattern's (so `users:` is any depth, `users:...` exactly two).
 */
export function matchesAddress(pattern: string, address: string): boolean {
  const segments = pattern.split(':');
  if (!isPartialAddress(pattern)) return pattern === address;
  const parts = address.split(':');
  if (segments.at(-1) !== '' && parts.length !== segments.length) return false;
  return segments.every((segment, index) => segment === '' || segment === '...' || parts[index] === segment);
}

export function isPartialAddress(address: string): boolean {
  const segments = address.split(':');
  return segments.some((segment, index) => segment === '' || (segment === '...' && index === segments.length - 1));
}

/** Parses the DSL as `query.ParseJSON` does: empty text or `{}` is no filter. */
export function parseFilter(text: string): Filter | null {
  if (text.trim() === '') return null;
  let value: unknown;
  try {
    value = parse(text);
  } catch {
    throw validation('invalid character in query');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw validation(`unexpected type in query`);
  return Object.keys(value).length === 0 ? null : (value as Filter);
}

export type Resource = 'accounts' | 'volumes';

const NOBODY: Account = {
  address: 'nobody',
  metadata: {},
  volumes: new Map(),
  moves: new Map(),
  firstUsage: '',
  insertionDate: '',
  updatedAt: '',
};

/** Validates a filter up front, as the server does before reading any row (resource.go `validateFilters`). */
export function checkFilter(filter: Filter | null, resource: Resource): void {
  evaluate(filter, resource, NOBODY);
}

const FIELDS: Record<Resource, readonly string[]> = {
  accounts: ['address', 'account', 'first_usage', 'balance', 'metadata', 'insertion_date', 'updated_at'],
  volumes: ['address', 'account', 'balance', 'first_usage', 'metadata'],
};

const single = (value: unknown, operator: string): [string, unknown] => {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw validation(`parsing ${operator}: unexpected type`);
  const entries = Object.entries(value);
  if (entries.length !== 1) throw validation(`parsing ${operator}: expected a single key`);
  return entries[0] as [string, unknown];
};

const bigintOf = (value: unknown, key: string): bigint => {
  const text = isLosslessNumber(value) ? value.toString() : typeof value === 'string' ? value : '';
  if (!/^-?\d+$/.test(text)) throw validation(`invalid value '${String(value)}' for property '${key}'`);
  return BigInt(text);
};

/** Whether `account` (and, for volumes rows, `asset`) passes the filter; throws 400 VALIDATION as the server does. */
export function evaluate(filter: Filter | null, resource: Resource, account: Account, asset?: string): boolean {
  if (filter === null) return true;
  const [operator, value] = single(filter, 'query');
  switch (operator) {
    case '$and':
    case '$or': {
      if (!Array.isArray(value)) throw validation(`parsing ${operator}: unexpected type`);
      const results = value.map((item) => evaluate(item as Filter, resource, account, asset));
      return operator === '$and' ? results.every(Boolean) : results.some(Boolean);
    }
    case '$not':
      return !evaluate(value as Filter, resource, account, asset);
    case '$match':
    case '$like':
    case '$in':
    case '$exists':
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      return compare(operator, ...single(value, operator), resource, account, asset);
    default:
      throw validation(`unexpected operator ${operator}`);
  }
}

function compare(
  operator: string,
  key: string,
  value: unknown,
  resource: Resource,
  account: Account,
  asset?: string,
): boolean {
  const field = key.replace(/\[.*$/, '');
  if (!FIELDS[resource].includes(field)) throw validation(`unknown key '${key}' when building query`);
  const notAllowed = () => validation(`operator '${operator}' is not allowed for property '${field}'`);
  if (field === 'address' || field === 'account') {
    if (operator === '$in') {
      if (!Array.isArray(value) || !value.every((item) => typeof item === 'string'))
        throw validation(`invalid value for property 'address': expected array value for operator $in`);
      if (value.some(isPartialAddress)) throw validation('IN operator only supports full addresses');
      return value.includes(account.address);
    }
    if (operator !== '$match' && operator !== '$like') throw notAllowed();
    if (typeof value !== 'string') throw validation(`invalid value for property '${field}': expected string value`);
    return matchesAddress(value, account.address);
  }
  if (field === 'metadata') {
    const name = /^metadata\[(.+)]$/.exec(key)?.[1];
    if (operator === '$exists' && name === undefined) return typeof value === 'string' && value in account.metadata;
    if (operator !== '$match' || name === undefined) throw notAllowed();
    return account.metadata[name] === value;
  }
  if (field === 'balance') {
    if (!['$match', '$gt', '$gte', '$lt', '$lte'].includes(operator)) throw notAllowed();
    const wanted = bigintOf(value, key);
    const only = /^balance\[(.+)]$/.exec(key)?.[1];
    const balances = [...account.volumes]
      .filter(([code]) => (only === undefined || code === only) && (asset === undefined || code === asset))
      .map(([, volumes]) => volumes.input - volumes.output);
    const test = {
      $match: (b: bigint) => b === wanted,
      $gt: (b: bigint) => b > wanted,
      $gte: (b: bigint) => b >= wanted,
      $lt: (b: bigint) => b < wanted,
      $lte: (b: bigint) => b <= wanted,
    }[operator as '$gt'];
    return balances.some(test);
  }
  // Dates: ISO 8601 strings of one format compare in time order.
  if (!['$match', '$gt', '$gte', '$lt', '$lte'].includes(operator) || typeof value !== 'string') throw notAllowed();
  const stamp =
    field === 'first_usage'
      ? account.firstUsage
      : field === 'insertion_date'
        ? account.insertionDate
        : account.updatedAt;
  return operator === '$match'
    ? stamp === value
    : operator === '$gt'
      ? stamp > value
      : operator === '$gte'
        ? stamp >= value
        : operator === '$lt'
          ? stamp < value
          : stamp <= value;
}
