import { inWindow, LEDGER, withQuery, type Route } from './route-context.ts';
import type { QueryHeader } from './paging.ts';
import { accountJson, entityNotFound, fiberError, ledgerJson, ok, organizationJson, type Reply } from './wire.ts';

/** Organizations, ledgers and accounts: offset-paged lists and reads by id or alias, in routes.go order. */

/** Offset pages (`ORDER BY … LIMIT limit OFFSET (page-1)*limit`); a nil Go slice, so an empty page is `"items": null`. */
function offsetPage(items: readonly unknown[], header: QueryHeader): Reply {
  const start = (header.page - 1) * header.limit;
  const page = items.slice(start, start + header.limit);
  return ok({ items: page.length === 0 ? null : page, limit: header.limit, page: header.page });
}

const prefix = (value: string, filter: string | null) =>
  filter === null || value.toLowerCase().startsWith(filter.trim().toLowerCase());

export const ENTITY_ROUTES: readonly Route[] = [
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
];
