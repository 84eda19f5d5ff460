import { z } from 'zod';
import { oneOf, scales, strict, text } from '../../config-fields.ts';
import { NotFoundError } from '../../errors.ts';
import type { VendorList } from '../../relay/sequence.ts';
import type { QueryValue } from '../http/index.ts';
import { isObject, VendorShapeError } from '../json.ts';
import {
  defineProvider,
  type AccountFilter,
  type AccountRef,
  type BalanceFilter,
  type LedgerModel,
  type LedgerRef,
} from '../types.ts';
import { distinctPages } from '../answer-checks.ts';
import { createBlnkClient } from './api.ts';
import { balanceRecordFor, lookupByIds, MAX_IN_VALUES, type Found } from './lookup.ts';
import { getBlnkHistory } from './history.ts';
import { mapBlnkAccountWithBalance, mapBlnkBalance, mapBlnkLedger, readBlnkList } from './map.ts';
import { modelKey, walkBounds } from '../walks.ts';
import { mapRecordOnce } from '../record-reading.ts';

/**
 * Blnk (github.com/blnkfinance/blnk; contract read from the Go source at v0.15.2, see
 * vendor-specs/NOTES.md §4). A Blnk ledger is a Ledger; a Blnk balance (`bln_…`, one currency) is
 * both an Account and that account's single Balance.
 */
export interface BlnkOptions {
  /** Base URL of the Blnk server, e.g. `http://localhost:5001` (paths sit at its root, no version prefix). */
  url: string;
  /**
   * Secure mode credentials: the master key or an API key, sent as `X-Blnk-Key`. Default: none (a
   * server with `server.secure` off). https://github.com/blnkfinance/blnk/blob/v0.15.2/api/middleware/auth.go
   */
  auth?: { apiKey: string };
  /**
   * Decimal places per currency (`{ USD: 2, BTC: 8, JPY: 0 }`). Required: since v0.15.0 a balance
   * carries no precision, so this must match the precision amounts were posted with. Older
   * servers' `currency_multiplier` wins when present. https://github.com/blnkfinance/blnk/blob/v0.15.2/model/balance.go
   */
  currencyScales: Record<string, number>;
  /** Deadline of one upstream call, retries included, in milliseconds. */
  timeoutMs: number;
  /**
   * How lookups by id are batched. 'get' (default): `GET /balances?balance_id_in=…`, ≤ 1000
   * characters per list, so about 24 ids a call. 'filter': one `POST /balances/filter` for up to 100
   * ids; the key needs the `balances:write` scope, since Blnk derives the scope from the method.
   * https://github.com/blnkfinance/blnk/blob/v0.15.2/api/filter_helper.go
   */
  batchWith?: 'get' | 'filter';
}

/** `GET /ledgers`: a limit above 100 silently becomes 20 (database/ledger.go). */
const LEDGER_PAGE_LIMIT = 100;
/** Filtered `GET /balances`: a limit above 1000 silently becomes 1000 (database/balance.go). */
const BALANCE_PAGE_LIMIT = 1000;
const BALANCE_ID = /^bln_[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const balanceIdOf = (item: AccountRef) => item.accountId;

/** `kind: blnk`: `auth: { apiKey }` (X-Blnk-Key) or none, `currencyScales`, `batchWith: get | filter`. */
export const blnkProvider = defineProvider({
  kind: 'blnk',
  options: z.object({
    auth: strict({ apiKey: text() }).optional().describe('Sent as X-Blnk-Key; omit when Blnk runs unsecured.'),
    currencyScales: scales().optional().describe('Decimal places per currency ({ USD: 2, BTC: 8 }).'),
    batchWith: oneOf(['get', 'filter'], 'must be get or filter')
      .optional()
      .describe('How balances are looked up by id: GET with balance_id_in (default), or POST /balances/filter.'),
  }),
  read(fields, base): BlnkOptions {
    return {
      url: base.url,
      timeoutMs: base.timeoutMs,
      currencyScales: fields.currencyScales ?? {},
      batchWith: fields.batchWith ?? 'get',
      ...(fields.auth ? { auth: { apiKey: fields.auth.apiKey } } : {}),
    };
  },
  create(name, options, transport) {
    const scales = { ...options.currencyScales };
    const client = createBlnkClient({
      source: name,
      url: options.url,
      timeoutMs: options.timeoutMs,
      apiKey: options.auth?.apiKey,
      transport,
    });
    const lookupBalances = (ids: readonly string[]) =>
      lookupByIds(client, ids, {
        path: '/balances',
        idField: 'balance_id',
        notFoundCode: 'BAL_NOT_FOUND',
        viaFilterPost: options.batchWith === 'filter',
      });
    // Every walk over this source's offset pages: a page of records already read (an ignored offset) ends it.
    const walk = walkBounds(name);
    /** Maps one slot, so a record the gateway cannot read fails its own key only. */
    const settle = <T>(map: () => T): T | Error => {
      try {
        return client.decode(map);
      } catch (error) {
        return error as Error;
      }
    };

    /** The balances of one ledger, newest first (`ORDER BY created_at DESC`). */
    const balancePages = <T extends AccountRef>(
      ledger: LedgerRef,
      filter: BalanceFilter,
      as: 'balances' | 'accounts',
      map: (item: unknown) => T,
    ): VendorList<T> => {
      const query: Record<string, QueryValue> = { ledger_id_eq: ledger.ledgerId };
      if (filter.asset) query.currency_eq = filter.asset;
      if (filter.address) {
        // An account without an indicator is addressed by its balance id.
        if (BALANCE_ID.test(filter.address))
          Object.assign(query, { balance_id_eq: filter.address, indicator_isnull: 'true' });
        else query.indicator_eq = filter.address;
      }
      return {
        paging: 'offset',
        maxLimit: BALANCE_PAGE_LIMIT,
        walk,
        // A balance id names one record in the whole server, and every item is this ledger's (checked
        // below): the id alone tells items apart, with no key string built and hashed per item.
        identify: balanceIdOf,
        // Mapped once per vendor answer, shared by every request that joined the call (the query names the ledger).
        fetchRange: (offset, limit) =>
          client.read({ method: 'GET', path: '/balances', query: { ...query, limit, offset } }, as, ({ body }) =>
            readBlnkList(body, 'balance list').map((item) => {
              // Servers before 0.13.2 ignore list filters and would list every ledger's balances.
              if (isObject(item) && item.ledger_id !== ledger.ledgerId)
                throw new VendorShapeError('the ledger_id_eq filter was ignored (Blnk 0.13.2 or later is needed)');
              return Object.freeze(map(item));
            }),
          ),
      };
    };

    return {
      name,
      maxBatchSize: MAX_IN_VALUES,
      // ledger_id_eq, and every listed balance's ledger_id is checked (balancePages).
      listProvesLedger: true,

      listLedgers() {
        const list: VendorList<LedgerModel> = {
          paging: 'offset',
          maxLimit: LEDGER_PAGE_LIMIT,
          walk,
          identify: modelKey,
          fetchRange: (offset, limit) =>
            client.read({ method: 'GET', path: '/ledgers', query: { limit, offset } }, 'ledgers', ({ body }) =>
              readBlnkList(body, 'ledger list').map((item) => Object.freeze(mapBlnkLedger(name, item))),
            ),
        };
        return distinctPages(list, 'ledgers', client.decode.bind(client));
      },

      async getLedgers(refs) {
        const found = await lookupByIds(
          client,
          refs.map((ref) => ref.ledgerId),
          { path: '/ledgers', idField: 'ledger_id', notFoundCode: 'LGR_NOT_FOUND' },
        );
        return refs.map((ref) => {
          const record: Found = found.get(ref.ledgerId);
          if (record instanceof Error) return record;
          if (record === undefined)
            return new NotFoundError(`ledger "${ref.ledgerId}" was not found at source "${name}"`, { source: name });
          return settle(() => mapRecordOnce(record, 'ledger', () => mapBlnkLedger(name, record)));
        });
      },

      listAccounts(ledger, filter: AccountFilter) {
        const list = balancePages(ledger, { address: filter.address }, 'accounts', (item) =>
          mapBlnkAccountWithBalance(name, item, scales),
        );
        return distinctPages(list, 'accounts', client.decode.bind(client));
      },

      async getAccounts(refs: readonly AccountRef[]) {
        const found = await lookupBalances(refs.map((ref) => ref.accountId));
        return refs.map((ref) => {
          const record = balanceRecordFor(name, ref, found);
          return record instanceof Error
            ? record
            : settle(() => mapRecordOnce(record, 'account', () => mapBlnkAccountWithBalance(name, record, scales)));
        });
      },

      listBalances(ledger, filter) {
        const list = balancePages(ledger, filter, 'balances', (item) => mapBlnkBalance(name, item, scales));
        return distinctPages(list, 'balances', client.decode.bind(client));
      },

      async getAccountBalances(refs) {
        const found = await lookupBalances(refs.map((ref) => ref.accountId));
        return refs.map((ref) => {
          const record = balanceRecordFor(name, ref, found);
          return record instanceof Error
            ? record
            : settle(() => mapRecordOnce(record, 'balances', () => [mapBlnkBalance(name, record, scales)]));
        });
      },

      getHistory(requests) {
        return getBlnkHistory({ client, source: name, scales, lookup: lookupBalances }, requests);
      },

      close: () => client.close(),
    };
  },
});

/** A Blnk connector from typed options, skipping `blnkProvider.options` (tests build connectors so). */
export const createBlnkConnector = blnkProvider.create;
