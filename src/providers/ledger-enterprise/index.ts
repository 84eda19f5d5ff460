import { z } from 'zod';
import { integer, strict, text } from '../../config-fields.ts';
import { NotFoundError } from '../../errors.ts';
import type { VendorList } from '../../relay/sequence.ts';
import type { QueryValue } from '../http/index.ts';
import {
  defineProvider,
  type AccountFilter,
  type BalanceFilter,
  type BalanceModel,
  type LedgerModel,
  type LedgerRef,
} from '../types.ts';
import { createVaultClient } from './api.ts';
import { getVaultHistory } from './history.ts';
import { getVaultAccountBalances, getVaultAccounts } from './lookup.ts';
import { figuresOf, mapVaultAccountWithBalance, mapVaultBalance, mapVaultAccount, type VaultAccount } from './map.ts';
import { searchList } from './paging.ts';
import { modelKey, walkBounds } from '../walks.ts';
import { BoundedMap, LEDGER_ID, ScaleCache, scalesOf, type AccountFacts, type VaultContext } from './facts.ts';

/**
 * Ledger Enterprise (Ledger Vault API v1) through a LAM, the self-hosted API module. The workspace
 * is one Ledger; a vault account (integer id, one currency) is an Account with one Balance.
 * Vendor notes: vendor-specs/NOTES.md §2; API: https://ledger-enterprise-api-portal.redoc.ly/openapi/le_api/overview/
 */
export interface LedgerEnterpriseOptions {
  /** Base URL of the LAM, e.g. `http://vault-lam:5000` (the API paths sit at its root). */
  url: string;
  /**
   * The API user registered on the LAM, sent as `X-Ledger-API-User` on every call, and the LAM API
   * key, sent as `X-Ledger-API-Key` when the LAM was initialised with one. Default key: none.
   * https://help.vault.ledger.com/Content/api/api_overview.html
   */
  auth: { apiUser: string; apiKey?: string };
  /** Deadline of one upstream call, retries included, in milliseconds. */
  timeoutMs: number;
  /** Most calls one batch keeps in flight when it fans out per account. Default 8. */
  concurrency?: number;
}

export const DEFAULT_CONCURRENCY = 8;
/** A lookup batch fans out one call per id, so a batch is capped like a page. */
const MAX_BATCH_SIZE = 100;
const ACCOUNT_ID = /^(?:0|[1-9]\d{0,15})$/;

/** `kind: ledger-enterprise`: `auth: { apiUser, apiKey? }` (X-Ledger-API-User / X-Ledger-API-Key), `concurrency`. */
export const ledgerEnterpriseProvider = defineProvider({
  kind: 'ledger-enterprise',
  options: z.object({
    auth: strict({ apiUser: text(), apiKey: text().optional() }).describe(
      'Sent as X-Ledger-API-User and, when set, X-Ledger-API-Key.',
    ),
    concurrency: integer(1, 64).optional().describe('Most calls in flight at once to the source. Default 8.'),
  }),
  read({ auth, concurrency }, base): LedgerEnterpriseOptions {
    return {
      url: base.url,
      timeoutMs: base.timeoutMs,
      auth: { apiUser: auth.apiUser, ...(auth.apiKey === undefined ? {} : { apiKey: auth.apiKey }) },
      concurrency: concurrency ?? DEFAULT_CONCURRENCY,
    };
  },
  create(name, options, transport) {
    const client = createVaultClient({
      source: name,
      url: options.url,
      timeoutMs: options.timeoutMs,
      apiUser: options.auth.apiUser,
      apiKey: options.auth.apiKey,
      transport,
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
    });
    const context: VaultContext = {
      client,
      source: name,
      ledgerId: LEDGER_ID,
      concurrency: options.concurrency ?? DEFAULT_CONCURRENCY,
      facts: new BoundedMap<AccountFacts>(50_000),
      scales: new ScaleCache(),
    };
    // A source is one Vault workspace: its single ledger is that workspace (the source's own name is on `Ledger.source`).
    const ledger: LedgerModel = { source: name, ledgerId: LEDGER_ID, name: LEDGER_ID, createdAt: null, metadata: null };
    // Every walk over this source's search pages: a page of accounts already read (an ignored `page`) ends it.
    const bounded = { walk: walkBounds(name), identify: modelKey };
    const ledgerNotFound = (ledgerId: string) =>
      new NotFoundError(`ledger "${ledgerId}" was not found at source "${name}"`, { source: name });

    /** The workspace's accounts (newest first) with the search filters a gateway filter maps onto. */
    const accountList = <T extends LedgerRef>(
      target: LedgerRef,
      filter: BalanceFilter,
      map: (accounts: VaultAccount[]) => Promise<T[]>,
    ): VendorList<T> => {
      if (target.ledgerId !== LEDGER_ID) {
        return {
          paging: 'offset',
          maxLimit: 1,
          ...bounded,
          fetchRange: () => Promise.reject(ledgerNotFound(target.ledgerId)),
        };
      }
      const query: Record<string, QueryValue> = {};
      if (filter.asset) query.currency = filter.asset; // `bitcoin`, `ethereum:0x…`: the asset is the search's currency syntax
      if (filter.address) {
        // An address is the account's integer id; anything else names no account, and is not asked for.
        if (!ACCOUNT_ID.test(filter.address))
          return {
            paging: 'offset',
            maxLimit: 1,
            length: 0,
            fetchRange: async () => [],
            totalCount: async () => 0,
            ...bounded,
          };
        query.id = filter.address;
      }
      return searchList(context, query, map, bounded);
    };

    return {
      name,
      maxBatchSize: MAX_BATCH_SIZE,

      listLedgers() {
        return {
          paging: 'offset',
          maxLimit: 1,
          length: 1,
          ...bounded,
          fetchRange: async (offset, limit) => (offset === 0 && limit > 0 ? [ledger] : []),
          totalCount: async () => 1,
        };
      },

      async getLedgers(refs) {
        return refs.map((ref) => (ref.ledgerId === LEDGER_ID ? ledger : ledgerNotFound(ref.ledgerId)));
      },

      listAccounts(target, filter: AccountFilter) {
        // A search page carries every account's figures: the accounts come with their balance, and the
        // request's balance loader is primed with it (one currency read per asset the connector has not seen).
        return accountList(target, { address: filter.address }, async (accounts) => {
          const scales = await scalesOf(context, accounts);
          return accounts.map((account) => {
            const scale = scales.get(account.asset);
            return mapVaultAccountWithBalance(context, account, typeof scale === 'number' ? scale : undefined);
          });
        });
      },

      getAccounts: (refs) => getVaultAccounts(context, refs),

      listBalances(target, filter) {
        return accountList(target, filter, async (accounts) => {
          const scales = await scalesOf(context, accounts);
          return accounts.map((account): BalanceModel => {
            const scale = scales.get(account.asset);
            if (scale instanceof Error || scale === undefined)
              throw scale ?? new Error(`no scale for ${account.asset}`);
            return mapVaultBalance(
              context,
              account.id,
              account.asset,
              scale,
              client.decode(() => figuresOf(account)),
              mapVaultAccount(context, account),
            );
          });
        });
      },

      getAccountBalances: (refs) => getVaultAccountBalances(context, refs),

      getHistory: (requests) => getVaultHistory(context, requests),

      close: () => client.close(),
    };
  },
});

/** A Ledger Enterprise connector from typed options, skipping `ledgerEnterpriseProvider.options` (tests build connectors so). */
export const createLedgerEnterpriseConnector = ledgerEnterpriseProvider.create;
