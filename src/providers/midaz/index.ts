import { z } from 'zod';
import { integer, scales, strict, text } from '../../config-fields.ts';
import { BadUserInputError, NotFoundError } from '../../errors.ts';
import type { VendorList } from '../../relay/sequence.ts';
import { defineProvider, type AccountModel, type BalanceFilter, type BalanceModel, type LedgerRef } from '../types.ts';
import { distinctPages } from '../answer-checks.ts';
import { createMidazApi, unexpected, type MidazApi } from './api.ts';
import { getMidazHistory } from './history.ts';
import { getMidazAccountBalances, getMidazAccounts, getMidazLedgers, isMidazId, ledgerNotFound } from './lookup.ts';
import { mapMidazAccount, mapMidazAccountAlias, mapMidazBalance, mapMidazLedger, readMidazItems } from './map.ts';
import { cursorPages, offsetPages } from './paging.ts';
import { uuidModelKey, walkBounds } from '../walks.ts';

/**
 * Lerian Midaz v3.8.x, the unified ledger service (github.com/LerianStudio/midaz, components/ledger;
 * server behaviour read from the Go source at v3.8.0, see vendor-specs/NOTES.md §3). A Midaz
 * ledger is a Ledger, an account is an Account (addressed by its alias), and each of its balances
 * (one per key, all in the account's asset) is a Balance. API: midaz-v3.8.0-ledger-openapi.yaml.
 */
export interface MidazOptions {
  /** The ledger service root, e.g. `http://localhost:3002` or `https://ledger.sandbox.lerian.net`; paths go below `/v1`. */
  url: string;
  /** The organization (UUID) whose ledgers this source shows. https://docs.lerian.studio/en/reference/organizations */
  organizationId: string;
  /**
   * An access token sent as `Authorization: Bearer <token>`, needed when the server runs the auth
   * plugin (`PLUGIN_AUTH_ENABLED=true`). Default: no Authorization header.
   */
  auth?: { token?: string | null } | null;
  /**
   * Decimal places per asset code (`{ BRL: 2, USD: 2, BTC: 8 }`). Required: Midaz amounts are
   * decimals in asset units and no response says the scale. A balance in an asset missing here is
   * SOURCE_BAD_RESPONSE naming the asset; an amount with more decimal places than its scale is
   * SOURCE_BAD_RESPONSE too, never rounded.
   */
  assetScales: Record<string, number>;
  /** Deadline of one upstream call, retries included, in milliseconds. */
  timeoutMs: number;
  /** Most calls in flight at once to this source (Midaz has no multi-account read, so lookups fan out). Default 8. */
  concurrency?: number;
}

export const DEFAULT_CONCURRENCY = 8;
/** Aliases the server accepts (pkg/constant `AccountAliasAcceptedChars`), and the `@external/<asset>` accounts. */
const ALIAS = /^[a-zA-Z0-9@:_-]{1,100}$/;
const EXTERNAL_ALIAS = /^@external\/([A-Za-z0-9]{1,10})$/;

/** The path of an account alias below a ledger, or a BAD_USER_INPUT for text no Midaz alias can be. */
function aliasPath(source: string, address: string, suffix: '' | '/balances'): string {
  const external = EXTERNAL_ALIAS.exec(address);
  // Fiber does not decode path segments: the alias goes as is, `@` included, and `/` only in external ones.
  if (external) return `/accounts/external/${external[1]}${suffix}`;
  if (ALIAS.test(address)) return `/accounts/alias/${address}${suffix}`;
  throw new BadUserInputError(
    'address filter must be a Midaz account alias (letters, digits, "@", ":", "_" and "-"; or "@external/<asset>")',
    { source },
  );
}

/** `kind: midaz`: `organizationId`, `auth: { token? }` (Bearer), `assetScales` (required), `concurrency`. */
export const midazProvider = defineProvider({
  kind: 'midaz',
  options: z.object({
    organizationId: text().refine(isMidazId, 'must be a UUID').describe("The organization's UUID."),
    // A line break would end the Authorization header early.
    auth: strict({
      token: text()
        .regex(/^[^\r\n]*$/, 'must not contain a line break')
        .optional(),
    }).optional(),
    assetScales: scales().describe('Decimal places per asset code ({ BRL: 2, BTC: 8 }): no Midaz response says them.'),
    concurrency: integer(1, 64).optional().describe('Most calls in flight at once to the source. Default 8.'),
  }),
  read(fields, base): MidazOptions {
    return {
      url: base.url,
      timeoutMs: base.timeoutMs,
      organizationId: fields.organizationId,
      auth: fields.auth ? { token: fields.auth.token ?? null } : null,
      assetScales: fields.assetScales,
      concurrency: fields.concurrency ?? DEFAULT_CONCURRENCY,
    };
  },
  create(name, options, transport) {
    const scales = { ...options.assetScales };
    const api: MidazApi = createMidazApi({
      source: name,
      url: options.url,
      organizationId: options.organizationId.toLowerCase(),
      token: options.auth?.token ?? null,
      timeoutMs: options.timeoutMs,
      transport,
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    });
    // Every walk over this source's pages: the relay's list reads and the account-balances loop.
    const walk = walkBounds(name);
    const bounded = { walk, identify: uuidModelKey };
    const context = { api, scales, walk };
    /** The list, or one that fails when read: a bad ledger id or filter fails the field, not the call that built the list. */
    const listOf = <T>(ledger: LedgerRef, build: (path: string) => VendorList<T>): VendorList<T> => {
      try {
        // A ledger id that is not a UUID cannot exist (the server would answer 400 code 0065).
        if (!isMidazId(ledger.ledgerId)) throw ledgerNotFound(name, ledger.ledgerId);
        return build(`/ledgers/${ledger.ledgerId.toLowerCase()}`);
      } catch (error) {
        return { paging: 'cursor', walk, fetchPage: () => Promise.reject(error) };
      }
    };
    /** The balances of one page, without overdraft companions: mapped once per vendor answer. */
    const balancesOf =
      (ledger: LedgerRef) =>
      (items: readonly unknown[]): BalanceModel[] =>
        items
          .map((item) => mapMidazBalance(name, ledger.ledgerId, item, scales))
          .filter((balance): balance is BalanceModel => balance !== null);
    /** When asked, one asset only (Midaz has no asset filter): per request, after the shared mapping. */
    const assetOf = (filter: BalanceFilter) =>
      filter.asset ? (balance: BalanceModel) => balance.asset === filter.asset : undefined;
    const single = <T extends { readonly ledgerId: string }>(read: () => Promise<T[]>): VendorList<T> => ({
      paging: 'cursor',
      walk,
      identify: uuidModelKey,
      fetchPage: async () => ({ items: await read(), next: null, previous: null }),
    });

    /**
     * The account with an exact alias. The by-alias read looks metadata up by alias instead of id
     * (query/get_alias_account.go), so the account it finds is read again by id. An account of
     * another alias than asked is a bad response.
     */
    const accountByAlias = (ledger: LedgerRef, alias: string) => async (): Promise<AccountModel[]> => {
      const path = `/ledgers/${ledger.ledgerId.toLowerCase()}${aliasPath(name, alias, '')}`;
      const reply = await api.get(path, undefined, [404]);
      if (reply.status === 404) {
        if (reply.code === '0085' || reply.code === '0007') return [];
        throw unexpected(api, reply);
      }
      const [account] = await getMidazAccounts(context, [
        reply.read(`alias account:${ledger.ledgerId}`, (body) =>
          mapMidazAccountAlias(name, ledger.ledgerId, body, alias),
        ),
      ]);
      if (account instanceof NotFoundError) return []; // deleted in between
      if (account instanceof Error || account === undefined)
        throw account ?? new Error('account read returned nothing');
      return [account];
    };

    return {
      name,
      maxBatchSize: 100,

      listLedgers() {
        // Ordered by id (UUIDv7, so by creation). No organization check: an unknown one lists nothing.
        const list = offsetPages(api, '/ledgers', {}, (item) => mapMidazLedger(name, item), 'ledger page', bounded);
        return distinctPages(list, 'ledgers', api.decode);
      },

      getLedgers: (refs) => getMidazLedgers(context, refs),

      listAccounts(ledger, filter) {
        const list = listOf(ledger, (path) =>
          filter.address
            ? single(accountByAlias(ledger, filter.address))
            : offsetPages(
                api,
                `${path}/accounts`,
                {},
                (item) => mapMidazAccount(name, ledger.ledgerId, item),
                'account page',
                bounded,
                `account page:${ledger.ledgerId}`,
              ),
        );
        return distinctPages(list, 'accounts', api.decode);
      },

      getAccounts: (refs) => getMidazAccounts(context, refs),

      listBalances(ledger, filter) {
        const map = balancesOf(ledger);
        const keep = assetOf(filter);
        const list = listOf(ledger, (path) => {
          if (!filter.address)
            return cursorPages(
              api,
              `${path}/balances`,
              map,
              'balance page',
              bounded,
              `balance page:${ledger.ledgerId}`,
              keep,
            );
          // One account's balances by alias: one unpaged answer (its `limit` is always 10, and not applied).
          const byAlias = `${path}${aliasPath(name, filter.address, '/balances')}`;
          return single(async () => {
            const reply = await api.get(byAlias);
            const balances = reply.read(`alias balances:${ledger.ledgerId}`, (body) =>
              map(readMidazItems(body, 'alias balances')),
            );
            return keep === undefined ? [...balances] : balances.filter(keep);
          });
        });
        return distinctPages(list, 'balances', api.decode);
      },

      getAccountBalances: (refs) => getMidazAccountBalances(context, refs),

      getHistory: (requests) => getMidazHistory(context, requests),

      close: () => api.close(),
    };
  },
});

/** A Midaz connector from typed options, skipping `midazProvider.options` (tests build connectors so). */
export const createMidazConnector = midazProvider.create;
