import { z } from 'zod';
import { httpUrl, strict, text, trimmedUrl } from '../../config-fields.ts';
import { NotFoundError, SourceError, sourceErrorForStatus } from '../../errors.ts';
import { pathSegment } from '../path-segment.ts';
import { defineProvider, type LedgerModel, type TopUpModel } from '../types.ts';
import { createVonageApi } from './api.ts';
import { joinVonageAccounts, mapVonageAccount, VONAGE_LEDGER_ID, type VonageAccountEntry } from './map.ts';
import { modelKey, walkBounds } from '../walks.ts';

/**
 * Vonage: the Account API (`/account/get-balance`, `/account/top-up`) and the Subaccounts API
 * (`/accounts/{api_key}/subaccounts`). Specs: vendor-specs/vonage/account.yml, subaccounts.yml.
 */
export interface VonageOptions {
  /** The Account API base URL (`https://rest.nexmo.com`). */
  url: string;
  /** The Subaccounts API base URL (`https://api.nexmo.com` in production). Default: `url`. */
  subaccountsUrl?: string;
  /** Sent as HTTP Basic, as the official Node SDK does: the secret never goes into a URL. */
  auth: { apiKey: string; apiSecret: string };
  /** Deadline of one upstream call, retries included. */
  timeoutMs: number;
}

/** `kind: vonage`: `auth: { apiKey, apiSecret }` (sent as HTTP Basic), `subaccountsUrl` (default: `url`). */
export const vonageProvider = defineProvider({
  kind: 'vonage',
  options: z.object({
    auth: strict({
      // The key is a path segment of the Subaccounts API (`/accounts/{api_key}/subaccounts`).
      apiKey: text().refine(
        (apiKey) => pathSegment(apiKey) !== null,
        'is not a Vonage API key (it would be a dot segment in a URL path)',
      ),
      apiSecret: text(),
    }).describe('Sent as HTTP Basic, so the secret stays out of URLs.'),
    subaccountsUrl: httpUrl().optional().describe('The Subaccounts API base (https://api.nexmo.com). Default: url.'),
  }),
  read({ auth, subaccountsUrl }, base): VonageOptions {
    return {
      url: base.url,
      timeoutMs: base.timeoutMs,
      auth: { apiKey: auth.apiKey, apiSecret: auth.apiSecret },
      ...(subaccountsUrl === undefined ? {} : { subaccountsUrl: trimmedUrl(subaccountsUrl) }),
    };
  },
  create(name, options, transport) {
    const api = createVonageApi({
      source: name,
      url: options.url,
      subaccountsUrl: options.subaccountsUrl,
      apiKey: options.auth.apiKey,
      apiSecret: options.auth.apiSecret,
      timeoutMs: options.timeoutMs,
      transport,
    });
    const ledger: LedgerModel = {
      source: name,
      ledgerId: VONAGE_LEDGER_ID,
      name: 'Vonage account',
      createdAt: null,
      metadata: null,
    };
    const primaryKey = options.auth.apiKey;
    // Unpaged reads (two calls answer every account), bounded all the same.
    const bounded = { walk: walkBounds(name), identify: modelKey };

    const ledgerNotFound = (ledgerId: string) =>
      new NotFoundError(`ledger "${ledgerId}" was not found`, { source: name });
    /**
     * The primary and, when asked for, its subaccounts: two calls answer every account of the one
     * ledger. An unreadable balance fails its own entry's balances only.
     */
    const readAccounts = async (
      withSubaccounts: boolean,
      ledgerId = VONAGE_LEDGER_ID,
    ): Promise<VonageAccountEntry[]> => {
      if (ledgerId !== VONAGE_LEDGER_ID) throw ledgerNotFound(ledgerId);
      const [primary, others] = await Promise.all([
        api.readPrimary(),
        withSubaccounts ? api.readSubaccounts() : Promise.resolve([]),
      ]);
      return api
        .decode(() => joinVonageAccounts(primary, others))
        .map((item) => mapVonageAccount(name, item, api.decode));
    };
    const lookup = async <T>(
      refs: readonly { ledgerId: string; accountId: string }[],
      pick: (entry: VonageAccountEntry) => T | Error,
    ): Promise<Array<T | Error>> => {
      const wanted = refs.filter((ref) => ref.ledgerId === VONAGE_LEDGER_ID);
      if (wanted.length === 0)
        return refs.map((ref) => new NotFoundError(`account "${ref.accountId}" was not found`, { source: name }));
      let entries: VonageAccountEntry[];
      try {
        entries = await readAccounts(wanted.some((ref) => ref.accountId !== primaryKey));
      } catch (error) {
        return refs.map(() => (error instanceof Error ? error : new Error(String(error))));
      }
      const byKey = new Map(entries.map((entry) => [entry.model.accountId, entry]));
      return refs.map((ref) => {
        const entry = ref.ledgerId === VONAGE_LEDGER_ID ? byKey.get(ref.accountId) : undefined;
        return entry ? pick(entry) : new NotFoundError(`account "${ref.accountId}" was not found`, { source: name });
      });
    };

    return {
      name,
      maxBatchSize: 1000,
      listLedgers: () => ({
        paging: 'offset',
        maxLimit: 100,
        ...bounded,
        length: 1,
        fetchRange: async (offset, limit) => [ledger].slice(offset, offset + limit),
      }),
      getLedgers: async (refs) =>
        refs.map((ref) => (ref.ledgerId === VONAGE_LEDGER_ID ? ledger : ledgerNotFound(ref.ledgerId))),
      listAccounts: (target) => ({
        paging: 'offset',
        maxLimit: 1000,
        ...bounded,
        fetchRange: async (offset, limit) =>
          (await readAccounts(true, target.ledgerId)).slice(offset, offset + limit).map((entry) => entry.model),
      }),
      getAccounts: (refs) => lookup(refs, (entry) => entry.model),
      listBalances: (target, filter) => ({
        paging: 'offset',
        maxLimit: 1000,
        ...bounded,
        fetchRange: async (offset, limit) =>
          (await readAccounts(true, target.ledgerId))
            .flatMap((entry) => {
              // A list of balances holds each one's money: an unreadable one fails the list, as at the other vendors.
              if (entry.balances instanceof Error) throw entry.balances;
              return entry.balances;
            })
            .filter((balance) => !filter.asset || balance.asset === filter.asset)
            .slice(offset, offset + limit),
      }),
      getAccountBalances: (refs) => lookup(refs, (entry) => entry.balances),

      async topUp({ trx }): Promise<TopUpModel> {
        const { status, label } = await api.topUp(trx);
        if (status === 200) return { source: name, trx, outcome: 'SUCCESS' };
        // Both refusals are 401; only the label tells "not auto-reload enabled" from bad credentials.
        if (label === 'not auto-reload enabled') return { source: name, trx, outcome: 'AUTO_RELOAD_DISABLED' };
        if (label === 'authentication failed') throw sourceErrorForStatus(name, 401);
        throw new SourceError(
          'SOURCE_BAD_RESPONSE',
          `source "${name}" answered the top-up with an unexpected HTTP ${status}`,
          { source: name, retryable: false },
        );
      },

      close: () => api.close(),
    };
  },
});

/** A Vonage connector from typed options, skipping `vonageProvider.options` (tests build connectors so). */
export const createVonageConnector = vonageProvider.create;
