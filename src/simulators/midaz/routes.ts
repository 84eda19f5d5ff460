import { operationAt, type MidazData, type MidazSeedBalance } from './data.ts';
import { cursorPage, parseDateTime, validateQuery, type QueryHeader } from './paging.ts';
import {
  accountJson,
  balanceJson,
  entityNotFound,
  fiberError,
  historyJson,
  ledgerJson,
  ok,
  organizationJson,
  validationError,
  type Reply,
} from './wire.ts';

/**
 * The read endpoints of the Midaz v3.8.0 ledger service (components/ledger/internal/adapters/http/in/
 * routes.go and the handlers, use cases and repositories behind them). Path segments are matched
 * as received: Fiber does not decode them.
 */

export interface RouteContext {
  readonly data: MidazData;
  /** `MAX_PAGINATION_LIMIT`, default 100. */
  readonly maxLimit: number;
  /** The clock the future-date check reads (`time.Now()`), in microseconds. */
  readonly nowMicros: () => number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** pkg/constant `UUIDPathParameters`: these path parameters must parse as UUIDs, or the answer is 400 0065. */
const UUID_PARAMETERS = new Set(['id', 'organization_id', 'ledger_id', 'account_id', 'balance_id']);

/** Offset pages (`ORDER BY … LIMIT limit OFFSET (page-1)*limit`); a nil Go slice, so an empty page is `"items": null`. */
function offsetPage(items: readonly unknown[], header: QueryHeader): Reply {
  const start = (header.page - 1) * header.limit;
  const page = items.slice(start, start + header.limit);
  return ok({ items: page.length === 0 ? null : page, limit: header.limit, page: header.page });
}

const inWindow = (header: QueryHeader) => (micros: number) =>
  header.startMicros === null || (micros >= header.startMicros && micros <= (header.endMicros ?? micros));
const prefix = (value: string, filter: string | null) =>
  filter === null || value.toLowerCase().startsWith(filter.trim().toLowerCase());

function balancePage(rows: readonly MidazSeedBalance[], header: QueryHeader): Reply {
  const page = cursorPage(
    rows.filter((balance) => inWindow(header)(balance.createdAtMicros)),
    header,
  );
  return ok({
    items: page.items.map(balanceJson),
    limit: header.limit,
    next_cursor: page.next,
    prev_cursor: page.prev,
  });
}

/** `GET …/balances/history` and `…/accounts/{id}/balances/history`: the `date` parameter, checked as the handlers do. */
function historyDate(context: RouteContext, query: URLSearchParams): number | Reply {
  const text = query.get('date') ?? '';
  if (text === '')
    return validationError(
      '0142',
      'Missing Required Query Parameter',
      "The required query parameter 'date' is missing from the request.",
    );
  const parsed = parseDateTime(text, false);
  if (!parsed?.hasTime)
    return validationError(
      '0131',
      'Invalid Datetime Format Error',
      "The 'date' parameter is in the incorrect format. Please use the 'yyyy-mm-dd hh:mm:ss' format and try again.",
    );
  if (parsed.micros > context.nowMicros()) {
    const rfc3339 = new Date(Math.floor(parsed.micros / 1000)).toISOString().replace(/\.\d+Z$/, 'Z');
    return validationError(
      '0140',
      'Invalid Timestamp',
      `The provided timestamp '${rfc3339}' is invalid. Timestamps cannot be in the future.`,
    );
  }
  return parsed.micros;
}

const noDataAtDate = () =>
  fiberError(404, '0141', 'No Balance Data at Date', 'No balance data is available at the specified date.');

function snapshot(balance: MidazSeedBalance, atMicros: number) {
  const operation = operationAt(balance, atMicros);
  return operation
    ? {
        available: operation.available,
        onHold: operation.onHold,
        version: operation.version,
        updatedAtMicros: operation.atMicros,
      }
    : { available: 0n, onHold: 0n, version: 0, updatedAtMicros: balance.createdAtMicros };
}

type Handler = (context: RouteContext, params: Record<string, string>, query: URLSearchParams) => Reply;

const LEDGER = '/v1/organizations/:organization_id/ledgers/:ledger_id';

/** In routes.go registration order: the first template that matches the path answers. */
const ROUTES: ReadonlyArray<readonly [string, Handler]> = [
  [
    '/v1/organizations',
    (context, _, query) =>
      withQuery(context, query, (header) =>
        offsetPage(
          [...context.data.organizations].sort((a, b) => a.createdAtMicros - b.createdAtMicros).map(organizationJson),
          header,
        ),
      ),
  ],
  [
    '/v1/organizations/:id',
    ({ data }, { id }) => {
      const organization = data.organizations.find((item) => item.id === id);
      return organization ? ok(organizationJson(organization)) : entityNotFound();
    },
  ],
  // No organization check on lists: an unknown organization simply has no rows.
  [
    '/v1/organizations/:organization_id/ledgers',
    (context, { organization_id: org }, query) =>
      withQuery(context, query, (header) => {
        const name = query.get('name');
        const rows = context.data.ledgers.filter(
          (ledger) =>
            ledger.organizationId === org && prefix(ledger.name, name) && inWindow(header)(ledger.createdAtMicros),
        );
        const sorted = rows.sort((a, b) => (a.id < b.id ? -1 : 1) * (header.sortOrder === 'asc' ? 1 : -1));
        return offsetPage(sorted.map(ledgerJson), header);
      }),
  ],
  [
    LEDGER,
    ({ data }, { organization_id: org, ledger_id: id }) => {
      const ledger = data.ledgers.find((item) => item.organizationId === org && item.id === id);
      return ledger ? ok(ledgerJson(ledger)) : entityNotFound();
    },
  ],
  [
    `${LEDGER}/accounts`,
    (context, { organization_id: org, ledger_id: ledgerId }, query) =>
      withQuery(context, query, (header) => {
        const [alias, name, asset] = [query.get('alias'), query.get('name'), query.get('asset_code')];
        const rows = context.data.accounts.filter(
          (account) =>
            account.organizationId === org &&
            account.ledgerId === ledgerId &&
            prefix(account.alias, alias) &&
            prefix(account.name, name) &&
            (asset === null || account.assetCode === asset.toUpperCase()) &&
            inWindow(header)(account.createdAtMicros),
        );
        const sorted = rows.sort(
          (a, b) => (a.createdAtMicros - b.createdAtMicros) * (header.sortOrder === 'asc' ? 1 : -1),
        ); // ORDER BY created_at
        return offsetPage(
          sorted.map((account) => accountJson(account)),
          header,
        );
      }),
  ],
  [
    `${LEDGER}/accounts/:id`,
    ({ data }, { organization_id: org, ledger_id: ledgerId, id }) => {
      const account = data.accounts.find(
        (item) => item.organizationId === org && item.ledgerId === ledgerId && item.id === id,
      );
      return account ? ok(accountJson(account)) : entityNotFound();
    },
  ],
  [
    `${LEDGER}/accounts/alias/:alias`,
    ({ data }, { organization_id: org, ledger_id: ledgerId, alias }) => {
      const account = data.accounts.find(
        (item) => item.organizationId === org && item.ledgerId === ledgerId && item.alias === alias,
      );
      return account
        ? ok(accountJson(account, false))
        : fiberError(
            404,
            '0085',
            'Account Alias Not Found',
            'The provided account Alias does not exist in our records. Please verify the account Alias and try again.',
          );
    },
  ],
  [
    `${LEDGER}/balances`,
    (context, { organization_id: org, ledger_id: ledgerId }, query) =>
      withQuery(context, query, (header) =>
        balancePage(
          context.data.balances.filter((balance) => balance.organizationId === org && balance.ledgerId === ledgerId),
          header,
        ),
      ),
  ],
  [
    `${LEDGER}/balances/:balance_id`,
    ({ data }, { organization_id: org, ledger_id: ledgerId, balance_id: id }) => {
      const balance = data.balances.find(
        (item) => item.organizationId === org && item.ledgerId === ledgerId && item.id === id,
      );
      return balance ? ok(balanceJson(balance)) : entityNotFound();
    },
  ],
  [
    `${LEDGER}/balances/:balance_id/history`,
    (context, { organization_id: org, ledger_id: ledgerId, balance_id: id }, query) => {
      const at = historyDate(context, query);
      if (typeof at !== 'number') return at;
      const balance = context.data.balances.find(
        (item) => item.organizationId === org && item.ledgerId === ledgerId && item.id === id,
      );
      if (!balance) return entityNotFound();
      if (operationAt(balance, at) === null && balance.createdAtMicros > at) return noDataAtDate();
      return ok(historyJson(balance, snapshot(balance, at)));
    },
  ],
  // No account check: an unknown account has no balances (query/get_all_balances_account.go).
  [
    `${LEDGER}/accounts/:account_id/balances`,
    (context, { organization_id: org, ledger_id: ledgerId, account_id: accountId }, query) =>
      withQuery(context, query, (header) =>
        balancePage(
          context.data.balances.filter(
            (balance) =>
              balance.organizationId === org && balance.ledgerId === ledgerId && balance.accountId === accountId,
          ),
          header,
        ),
      ),
  ],
  [
    `${LEDGER}/accounts/:account_id/balances/history`,
    (context, { organization_id: org, ledger_id: ledgerId, account_id: accountId }, query) => {
      const at = historyDate(context, query);
      if (typeof at !== 'number') return at;
      // ListByAccountIDAtTimestamp: balances created by then, ordered by id; none at all is 404 0141.
      const rows = context.data.balances
        .filter(
          (balance) =>
            balance.organizationId === org &&
            balance.ledgerId === ledgerId &&
            balance.accountId === accountId &&
            balance.createdAtMicros <= at,
        )
        .sort((a, b) => (a.id < b.id ? -1 : 1));
      return rows.length === 0
        ? noDataAtDate()
        : ok(rows.map((balance) => historyJson(balance, snapshot(balance, at))));
    },
  ],
  [
    `${LEDGER}/accounts/alias/:alias/balances`,
    ({ data }, { organization_id: org, ledger_id: ledgerId, alias }) =>
      ok({
        items: data.balances
          .filter(
            (balance) => balance.organizationId === org && balance.ledgerId === ledgerId && balance.alias === alias,
          )
          .map(balanceJson),
        limit: 10,
      }),
  ],
  [
    `${LEDGER}/accounts/external/:code/balances`,
    ({ data }, { organization_id: org, ledger_id: ledgerId, code }) =>
      ok({
        items: data.balances
          .filter(
            (balance) =>
              balance.organizationId === org && balance.ledgerId === ledgerId && balance.alias === `@external/${code}`,
          )
          .map(balanceJson),
        limit: 10,
      }),
  ],
];

function withQuery(context: RouteContext, query: URLSearchParams, answer: (header: QueryHeader) => Reply): Reply {
  const header = validateQuery(query, context.maxLimit);
  return 'status' in header ? header : answer(header);
}

function match(template: string, path: string): Record<string, string> | null {
  const want = template.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let index = 0; index < want.length; index += 1) {
    const part = want[index] as string;
    const value = got[index] as string;
    if (part.startsWith(':')) {
      if (value === '') return null;
      params[part.slice(1)] = value;
    } else if (part !== value) return null;
  }
  return params;
}

export function route(context: RouteContext, method: string, path: string, query: URLSearchParams): Reply {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path; // Fiber's StrictRouting is off
  for (const [template, handler] of ROUTES) {
    const params = match(template, trimmed);
    if (!params) continue;
    if (method !== 'GET') return { status: 405, text: 'Method Not Allowed' }; // Fiber: the path exists for another method (only reads are simulated)
    for (const [name, value] of Object.entries(params)) {
      if (UUID_PARAMETERS.has(name) && !UUID.test(value)) {
        return validationError(
          '0065',
          'Invalid Path Parameter',
          `One or more path parameters are in an incorrect format. Please check the following parameters ${name} and ensure they meet the required format before trying again.`,
        );
      }
    }
    return handler(
      context,
      Object.fromEntries(
        Object.entries(params).map(([name, value]) => [name, UUID_PARAMETERS.has(name) ? value.toLowerCase() : value]),
      ),
      query,
    );
  }
  return { status: 404, text: `Cannot ${method} ${path}` };
}
