import { operationAt, type MidazSeedBalance } from './data.ts';
import { cursorPage, parseDateTime, type QueryHeader } from './paging.ts';
import { inWindow, LEDGER, withQuery, type RouteContext, type Route } from './route-context.ts';
import { balanceJson, entityNotFound, fiberError, historyJson, ok, validationError, type Reply } from './wire.ts';

/**
 * Balances, in routes.go order: cursor-paged lists, reads by id, by account, alias or external code,
 * and balances at a past date.
 */

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

export const BALANCE_ROUTES: readonly Route[] = [
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
