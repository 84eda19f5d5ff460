import { z } from 'zod';
import { httpUrl, strict, text, trimmedUrl } from '../../config-fields.ts';
import { BadUserInputError, sourceErrorForStatus } from '../../errors.ts';
import type { VendorList } from '../../relay/sequence.ts';
import { defineProvider, type AccountModel, type BalanceModel, type LedgerModel, type LedgerRef } from '../types.ts';
import { distinctPages } from '../answer-checks.ts';
import { createFormanceApi } from './api.ts';
import { getFormanceAccountBalances, getFormanceAccounts } from './lookup.ts';
import { getFormanceHistory } from './history.ts';
import { createLedgerDirectory, ledgerNotFound, readLedgerNames } from './facts.ts';
import {
  mapFormanceAccount,
  mapFormanceAggregate,
  mapFormanceBalancesItem,
  mapFormanceLedger,
  mapFormanceVolumesRow,
} from './map.ts';
import { FORMANCE_PAGE_SIZE, keepAsset, readFormanceCursor, toCursorPage } from './paging.ts';
import { modelKey, walkBounds } from '../walks.ts';

/**
 * Formance Ledger v2.x through a Formance stack (ledger API at `<url>/api/ledger`), with the v1
 * reads for lists, the v2 `$in` filter for lookups and v2 dated volumes for history. Vendor notes: vendor-specs/NOTES.md §1;
 * API: https://docs.formance.com/api-reference (ledger v2.4.6 `openapi.yaml`).
 */
export interface FormanceOptions {
  /** The stack's base URL (`https://acme-prod.eu-west-1.formance.cloud`, or the simulator's). */
  url: string;
  /** OAuth2 client credentials of a stack client with `ledger:read`. Omitted: no Authorization header. */
  auth?: {
    clientId: string;
    clientSecret: string;
    /** Default `<url>/api/auth/oauth/token`, the stack's auth service. */
    tokenUrl?: string;
  };
  /** Deadline of one upstream call, retries included. */
  timeoutMs: number;
}

/**
 * An address filter: full addresses and segment patterns (`users:`, `users:...`) only. The 2.4.x
 * server pastes the pattern into SQL unescaped (internal/storage/ledger/utils.go `filterAccountAddress`).
 */
const ADDRESS_FILTER = /^[a-zA-Z0-9_-]*(?::[a-zA-Z0-9_-]*)*(?::\.\.\.)?$/;

/** `kind: formance`: `auth: { clientId, clientSecret, tokenUrl? }` (OAuth2 client credentials), or no auth for an open ledger. */
export const formanceProvider = defineProvider({
  kind: 'formance',
  options: z.object({
    auth: strict({ clientId: text(), clientSecret: text(), tokenUrl: httpUrl().optional() })
      .optional()
      .describe('OAuth2 client credentials; tokenUrl defaults to <url>/api/auth/oauth/token. Omit for an open ledger.'),
  }),
  read({ auth }, base): FormanceOptions {
    return {
      url: base.url,
      timeoutMs: base.timeoutMs,
      ...(auth
        ? {
            auth: {
              clientId: auth.clientId,
              clientSecret: auth.clientSecret,
              ...(auth.tokenUrl === undefined ? {} : { tokenUrl: trimmedUrl(auth.tokenUrl) }),
            },
          }
        : {}),
    };
  },
  create(name, options, transport) {
    // A URL the options have checked, in its canonical form (host lowercased, default port dropped).
    const stack = new URL(options.url).href.replace(/\/+$/, '');
    const auth = options.auth;
    const credentials = auth
      ? {
          clientId: auth.clientId,
          clientSecret: auth.clientSecret,
          tokenUrl: new URL(auth.tokenUrl ?? `${stack}/api/auth/oauth/token`).href,
        }
      : null;

    const api = createFormanceApi({
      source: name,
      baseUrl: `${stack}/api/ledger`,
      timeoutMs: options.timeoutMs,
      transport,
      credentials,
    });
    const directory = createLedgerDirectory(api);
    // Every walk over this source's pages: the relay's list reads and the lookup and history loops.
    const walk = walkBounds(name);
    const context = { api, directory, walk };

    function addressFilter(address: string | null | undefined): string | undefined {
      if (address === undefined || address === null || address === '') return undefined;
      if (!ADDRESS_FILTER.test(address))
        throw new BadUserInputError(
          'address filter must be a Formance address or pattern (segments of letters, digits, "_" and "-"; "users:" or "users:..." for a pattern)',
          { source: name },
        );
      return address;
    }

    return {
      name,
      maxBatchSize: 100,

      listLedgers(): VendorList<LedgerModel> {
        // `_info` is unpaged: the whole list is one page.
        const list: VendorList<LedgerModel> = {
          paging: 'cursor',
          walk,
          identify: modelKey,
          fetchPage: async () => ({
            items: (await readLedgerNames(api)).map((ledger) => mapFormanceLedger(name, ledger)),
            next: null,
            previous: null,
          }),
          totalCount: async () => (await readLedgerNames(api)).length,
        };
        return distinctPages(list, 'ledgers', api.decode);
      },

      async getLedgers(refs) {
        let names: Set<string>;
        try {
          names = new Set(await readLedgerNames(api)); // one `_info` call answers the whole batch
        } catch (error) {
          return refs.map(() => (error instanceof Error ? error : new Error(String(error))));
        }
        return refs.map((ref) =>
          names.has(ref.ledgerId) ? mapFormanceLedger(name, ref.ledgerId) : ledgerNotFound(name, ref.ledgerId),
        );
      },

      listAccounts(ledger: LedgerRef, filter): VendorList<AccountModel> {
        const list: VendorList<AccountModel> = {
          paging: 'cursor',
          walk,
          identify: modelKey,
          async fetchPage(token) {
            // Our tokens say whether the vendor cursor asks for volumes: `x.<cursor>` expanded, `p.<cursor>` plain.
            let expanded = token?.startsWith('x.') ?? false;
            let query: Record<string, string | number | undefined> = { cursor: token?.slice(2) };
            if (token === null) {
              const address = addressFilter(filter.address);
              expanded = (await directory.facts(ledger.ledgerId)).movesHistory;
              // `expand=volumes` is undocumented on v1 but read (internal/api/v1/utils.go): each account brings its balances.
              query = { pageSize: FORMANCE_PAGE_SIZE, address, expand: expanded ? 'volumes' : undefined };
            }
            const reply = await api.get(`/${ledger.ledgerId}/accounts`, query);
            // A vendor cursor reads the same whether our token said `x.` or `p.`: the mapping names which.
            const kind = expanded ? 'x' : 'p';
            return reply.read(`accounts-page:${kind}`, (body) =>
              toCursorPage(
                readFormanceCursor(body),
                (item) => [mapFormanceAccount(name, ledger.ledgerId, item, expanded)],
                (cursor) => `${kind}.${cursor}`,
              ),
            );
          },
        };
        return distinctPages(list, 'accounts', api.decode);
      },

      getAccounts: (refs) => getFormanceAccounts(context, refs),

      listBalances(ledger, filter): VendorList<BalanceModel> {
        const list: VendorList<BalanceModel> = {
          paging: 'cursor',
          walk,
          identify: modelKey,
          async fetchPage(token) {
            const address = token === null ? addressFilter(filter.address) : undefined;
            // Our tokens say which endpoint issued the vendor cursor: `v1.<cursor>` or `v2.<cursor>`.
            const v2 =
              token === null ? !(await directory.facts(ledger.ledgerId)).movesHistory : token.startsWith('v2.');
            if (!v2) {
              const query = token === null ? { pageSize: FORMANCE_PAGE_SIZE, address } : { cursor: token.slice(3) };
              const reply = await api.get(`/${ledger.ledgerId}/balances`, query);
              const page = reply.read('balances-page:v1', (body) =>
                toCursorPage(
                  readFormanceCursor(body),
                  (item) => mapFormanceBalancesItem(name, ledger.ledgerId, item),
                  (next) => `v1.${next}`,
                ),
              );
              return keepAsset(filter, page);
            }
            // Without MOVES_HISTORY the v1 /balances handler fails (500): v2 /volumes lists the same balances, same order.
            const query =
              token === null
                ? { pageSize: FORMANCE_PAGE_SIZE, query: address ? JSON.stringify({ $match: { address } }) : undefined }
                : { cursor: token.slice(3) };
            const reply = await api.get(`/v2/${ledger.ledgerId}/volumes`, query, [404]);
            if (reply.status === 404)
              throw reply.errorCode === 'LEDGER_NOT_FOUND'
                ? ledgerNotFound(name, ledger.ledgerId)
                : sourceErrorForStatus(name, 404);
            const page = reply.read('balances-page:v2', (body) =>
              toCursorPage(
                readFormanceCursor(body),
                (item) => [mapFormanceVolumesRow(name, ledger.ledgerId, item)],
                (next) => `v2.${next}`,
              ),
            );
            return keepAsset(filter, page);
          },
        };
        return distinctPages(list, 'balances', api.decode);
      },

      getAccountBalances: (refs) => getFormanceAccountBalances(context, refs),

      async aggregateBalances(ledger, filter) {
        const address = addressFilter(filter.address);
        await directory.facts(ledger.ledgerId); // v1 would create a missing ledger
        const reply = await api.get(`/${ledger.ledgerId}/aggregate/balances`, { address });
        return reply
          .read('aggregate', mapFormanceAggregate)
          .filter((amount) => !filter.asset || amount.asset === filter.asset);
      },

      /** Closing balances at each instant from `/v2/{ledger}/volumes?endTime=` (needs MOVES_HISTORY=ON): see history.ts. */
      getHistory: (requests) => getFormanceHistory(context, requests),

      close: () => api.close(),
    };
  },
});

/** A Formance connector from typed options, skipping `formanceProvider.options` (tests build connectors so). */
export const createFormanceConnector = formanceProvider.create;
