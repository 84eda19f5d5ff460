import type { Ledger } from './data.ts';
import { checkFilter, evaluate, parseFilter, type Filter, type Resource } from './query.ts';
import { aggregate, type Reply } from './routes-v1.ts';
import { bare, cursorOf, missingFeatureFor, pagedQuery, quoted, renderAccount, renderMetadata, selectAccounts, type Amount, type PagingRules } from './views.ts';
import { HttpFailure, sortedKeys, validation, type WireValue } from './wire.ts';

/**
 * Ledger v2 reads (internal/api/v2 of ledger v2.4.6): pages of 15 by default, at most 100 (the
 * server's `--max-page-size` default; larger asks are cut without a word), filters in the JSON
 * query DSL read from the `query` parameter first and the GET body second. No auto-creation:
 * an unknown ledger is `404 LEDGER_NOT_FOUND` on every sub-path.
 */
const V2_PAGING: PagingRules = { defaultSize: 15, maxSize: 100 };

const ok = (json: WireValue): Reply => ({ status: 200, json });

/** `Formance-Bigint-As-String: true|yes|y|1` (views.go `needBigIntAsString`) turns amounts into strings. */
function amountsFor(headers: Readonly<Record<string, string | undefined>>): Amount {
  return ['true', 'yes', 'y', '1'].includes((headers['formance-bigint-as-string'] ?? '').toLowerCase()) ? quoted : bare;
}

function filterOf(params: URLSearchParams, body: string, resource: Resource): Filter | null {
  const filter = parseFilter(params.get('query') || body);
  checkFilter(filter, resource);
  return filter;
}

/** `common.go getExpand`: repeated and comma-separated values. */
function expandOf(params: URLSearchParams): string[] {
  return params.getAll('expand').flatMap((value) => value.split(','));
}

/** What this simulator leaves out of the v2 surface: say so instead of answering wrongly. */
function refuseUnsupported(params: URLSearchParams, ledger: Ledger, names: readonly string[]): void {
  const used = names.filter((name) => params.has(name));
  if (used.length === 0) return;
  if (ledger.features.MOVES_HISTORY !== 'ON' && used.some((name) => name !== 'sort' && name !== 'groupBy')) {
    throw validation('missing feature MOVES_HISTORY');
  }
  throw new HttpFailure(400, 'VALIDATION', `simulator: ${used.join(', ')} not supported`);
}

/** `GET /v2/{ledger}` (404 `NOT_FOUND` when unknown, handled by the router). */
export function readLedgerV2(ledger: Ledger): Reply {
  return ok({
    data: { bucket: ledger.bucket, metadata: renderMetadata(ledger.metadata), features: renderMetadata(ledger.features), id: ledger.id, name: ledger.name, addedAt: ledger.addedAt },
  });
}

/** `GET /v2/{ledger}/accounts`: `expand=volumes` needs the ledger feature MOVES_HISTORY=ON even without `pit`. */
export function listAccountsV2(ledger: Ledger, params: URLSearchParams, body: string, headers: Readonly<Record<string, string | undefined>>): Reply {
  refuseUnsupported(params, ledger, ['pit', 'sort']);
  const query = pagedQuery(params, V2_PAGING, () => ({ column: 'address', order: 0, filters: { pit: null, oot: null, qb: filterOf(params, body, 'accounts'), expand: expandOf(params), opts: null } }));
  const expand = query.filters.expand ?? [];
  const missing = missingFeatureFor(ledger, expand);
  if (missing) throw validation(missing);
  const amount = amountsFor(headers);
  return ok({ cursor: cursorOf(selectAccounts(ledger, query), query, (account) => renderAccount(account, expand, amount)) });
}

/** `GET /v2/{ledger}/volumes`: one row per (account, asset), account then asset ascending; current volumes need no feature. */
export function listVolumesV2(ledger: Ledger, params: URLSearchParams, body: string, headers: Readonly<Record<string, string | undefined>>): Reply {
  refuseUnsupported(params, ledger, ['endTime', 'startTime', 'pit', 'oot', 'groupBy', 'sort']);
  const query = pagedQuery(params, V2_PAGING, () => ({ column: 'account', order: 0, filters: { pit: null, oot: null, qb: filterOf(params, body, 'volumes'), opts: { useInsertionDate: false } } }));
  const filter = query.filters.qb as Filter | null;
  const rows = selectAccounts(ledger, { ...query, filters: { ...query.filters, qb: null } }, 'volumes').flatMap((account) =>
    sortedKeys(account.volumes)
      .filter((asset) => evaluate(filter, 'volumes', account, asset))
      .map((asset) => ({ account, asset, volumes: account.volumes.get(asset) as { input: bigint; output: bigint } })),
  );
  const amount = amountsFor(headers);
  return ok({
    cursor: cursorOf(rows, query, ({ account, asset, volumes }) => ({
      account: account.address,
      asset,
      input: amount(volumes.input),
      output: amount(volumes.output),
      balance: amount(volumes.input - volumes.output),
    })),
  });
}

/** `GET /v2/{ledger}/aggregate/balances` with a DSL filter (`address`, `metadata[…]`). */
export function aggregateBalancesV2(ledger: Ledger, params: URLSearchParams, body: string, headers: Readonly<Record<string, string | undefined>>): Reply {
  refuseUnsupported(params, ledger, ['pit']);
  const filter = filterOf(params, body, 'accounts');
  const query = { column: 'address', order: 0, pageSize: 0, offset: 0, filters: { pit: null, oot: null, qb: filter, opts: null } } as const;
  return ok({ data: aggregate(selectAccounts(ledger, query), amountsFor(headers)) });
}
