import { volumesBetween, type Account, type Ledger, type Volumes } from './data.ts';
import { checkFilter, evaluate, parseFilter, type Filter, type Resource } from './query.ts';
import { aggregate, type Reply } from './routes-v1.ts';
import {
  bare,
  cursorOf,
  missingFeatureFor,
  pagedQuery,
  quoted,
  renderAccount,
  renderMetadata,
  selectAccounts,
  type Amount,
  type PagingRules,
} from './views.ts';
import {
  formatGoTime,
  GO_ZERO_TIME_MICROS,
  HttpFailure,
  parseGoTime,
  sortedKeys,
  validation,
  type WireValue,
} from './wire.ts';

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
    data: {
      bucket: ledger.bucket,
      metadata: renderMetadata(ledger.metadata),
      features: renderMetadata(ledger.features),
      id: ledger.id,
      name: ledger.name,
      addedAt: ledger.addedAt,
    },
  });
}

/** `GET /v2/{ledger}/accounts`: `expand=volumes` needs the ledger feature MOVES_HISTORY=ON even without `pit`. */
export function listAccountsV2(
  ledger: Ledger,
  params: URLSearchParams,
  body: string,
  headers: Readonly<Record<string, string | undefined>>,
): Reply {
  refuseUnsupported(params, ledger, ['pit', 'sort']);
  const query = pagedQuery(params, V2_PAGING, () => ({
    column: 'address',
    order: 0,
    filters: { pit: null, oot: null, qb: filterOf(params, body, 'accounts'), expand: expandOf(params), opts: null },
  }));
  const expand = query.filters.expand ?? [];
  const missing = missingFeatureFor(ledger, expand);
  if (missing) throw validation(missing);
  const amount = amountsFor(headers);
  return ok({
    cursor: cursorOf(selectAccounts(ledger, query), query, (account) => renderAccount(account, expand, amount)),
  });
}

/** A date parameter of `/v2/{ledger}/volumes`, rendered as the cursor keeps it; null when absent, empty or Go's zero time. */
function dateParam(params: URLSearchParams, ...names: string[]): string | null {
  // The handler reads `endTime`/`startTime` after `pit`/`oot` (getResourceQuery), so they win when both are sent.
  const text = names
    .map((name) => params.get(name) ?? '')
    .filter((value) => value !== '')
    .at(-1);
  if (text === undefined) return null;
  const micros = parseGoTime(text);
  return micros === GO_ZERO_TIME_MICROS ? null : formatGoTime(micros);
}

/** Whether a filter names `field` anywhere (`metadata[kyc]` names `metadata`). */
function usesField(filter: unknown, field: string): boolean {
  if (Array.isArray(filter)) return filter.some((item) => usesField(item, field));
  if (typeof filter !== 'object' || filter === null) return false;
  return Object.entries(filter).some(
    ([key, value]) => key.replace(/\[.*$/, '') === field || (key.startsWith('$') && usesField(value, field)),
  );
}

/**
 * `GET /v2/{ledger}/volumes`: one row per (account, asset), account then asset ascending. Without
 * dates, the current volumes (no feature needed). With `endTime` (alias `pit`) and/or `startTime`
 * (alias `oot`), the sums of the moves dated `<= endTime` and `>= startTime` (both inclusive), one
 * row only where a move falls in the window, and only on a ledger with MOVES_HISTORY=ON
 * (internal/api/v2/controllers_volumes.go, internal/storage/ledger/resource_volumes.go). The seed
 * books every posting at its own date, so `insertionDate=true` selects the same moves.
 */
export function listVolumesV2(
  ledger: Ledger,
  params: URLSearchParams,
  body: string,
  headers: Readonly<Record<string, string | undefined>>,
): Reply {
  refuseUnsupported(params, ledger, ['groupBy', 'sort']);
  const query = pagedQuery(params, V2_PAGING, () => {
    const pit = dateParam(params, 'pit', 'endTime');
    const oot = dateParam(params, 'oot', 'startTime');
    return {
      column: 'account',
      order: 0,
      filters: {
        pit,
        oot,
        qb: filterOf(params, body, 'volumes'),
        opts: { useInsertionDate: ['true', '1'].includes((params.get('insertionDate') ?? '').toLowerCase()) },
      },
    };
  });
  const { pit, oot } = query.filters;
  const filter = query.filters.qb as Filter | null;
  const dated = pit !== null || oot !== null;
  // Filters are checked before the dataset is built, so a bad filter is refused before a missing feature.
  if (dated && ledger.features.MOVES_HISTORY !== 'ON') throw validation('missing feature "MOVES_HISTORY"');
  // The server reads metadata as of `pit` from its history; this seed keeps none.
  if (pit !== null && usesField(filter, 'metadata'))
    throw new HttpFailure(400, 'VALIDATION', 'simulator: metadata filters with endTime not supported');
  const [to, from] = [pit === null ? null : parseGoTime(pit), oot === null ? null : parseGoTime(oot)];
  const rows = selectAccounts(ledger, { ...query, filters: { ...query.filters, qb: null } }, 'volumes').flatMap(
    (account) => {
      const window = dated
        ? new Map(
            sortedKeys(account.moves).flatMap((asset) => {
              const volumes = volumesBetween(account, asset, from, to);
              return volumes ? [[asset, volumes] as const] : [];
            }),
          )
        : account.volumes;
      // `balance` filters test the window's balance: the server filters the dataset it built.
      const view: Account = dated ? { ...account, volumes: window } : account;
      return sortedKeys(window)
        .filter((asset) => evaluate(filter, 'volumes', view, asset))
        .map((asset) => ({ account, asset, volumes: window.get(asset) as Volumes }));
    },
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
export function aggregateBalancesV2(
  ledger: Ledger,
  params: URLSearchParams,
  body: string,
  headers: Readonly<Record<string, string | undefined>>,
): Reply {
  refuseUnsupported(params, ledger, ['pit']);
  const filter = filterOf(params, body, 'accounts');
  const query = {
    column: 'address',
    order: 0,
    pageSize: 0,
    offset: 0,
    filters: { pit: null, oot: null, qb: filter, opts: null },
  } as const;
  return ok({ data: aggregate(selectAccounts(ledger, query), amountsFor(headers)) });
}
