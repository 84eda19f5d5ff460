import { NotFoundError, sourceErrorForStatus } from '../../errors.ts';
import type { FormanceApi } from './api.ts';
import { readArray, readObject, readString } from '../json.ts';
import { mapFormanceMovesHistory } from './map.ts';

/**
 * What the connector must know about a ledger before reading it through v1:
 *  - that it exists, because every v1 `/{ledger}/…` request creates the ledger it names
 *    (internal/api/v1/middleware_auto_create_ledger.go): a typo would create a ledger and a bucket;
 *  - whether its MOVES_HISTORY feature is ON, without which `expand=volumes` is refused and v1
 *    `/balances` fails with a 500 (both expand volumes: internal/storage/ledger/resource_accounts.go).
 * `GET /v2/{ledger}` answers both and creates nothing (404 NOT_FOUND). Answers are kept for a minute;
 * features are fixed when a ledger is created.
 */

/** Ledger names the server accepts (internal/ledger.go `ledgerNameFormat`); nothing else is ever sent in a path. */
const LEDGER_NAME = /^[0-9a-zA-Z_-]{1,63}$/;

const FACTS_TTL_MS = 60_000;

export interface LedgerFacts {
  readonly movesHistory: boolean;
}

export interface LedgerDirectory {
  /** The ledger's facts; NotFoundError when it does not exist. */
  facts(ledgerId: string): Promise<LedgerFacts>;
  /** MOVES_HISTORY when already known (from `facts` or a refused expand), else null. */
  knownMovesHistory(ledgerId: string): boolean | null;
  /** Records that an expand was refused for lack of MOVES_HISTORY. */
  recordNoMovesHistory(ledgerId: string): void;
}

export function isFormanceLedgerName(ledgerId: string): boolean {
  return LEDGER_NAME.test(ledgerId);
}

export function ledgerNotFound(source: string, ledgerId: string): NotFoundError {
  return new NotFoundError(`ledger "${ledgerId}" was not found in source "${source}"`, { source });
}

export function createLedgerDirectory(api: FormanceApi): LedgerDirectory {
  const known = new Map<string, { facts: LedgerFacts; until: number }>();

  return {
    async facts(ledgerId) {
      const entry = known.get(ledgerId);
      if (entry && Date.now() < entry.until) return entry.facts;
      if (!isFormanceLedgerName(ledgerId)) throw ledgerNotFound(api.source, ledgerId);
      // Concurrent first reads share one call: HttpClient joins identical GETs in flight.
      const reply = await api.get(`/v2/${ledgerId}`, undefined, [404]);
      if (reply.status === 404) {
        if (reply.errorCode === 'NOT_FOUND' || reply.errorCode === 'LEDGER_NOT_FOUND')
          throw ledgerNotFound(api.source, ledgerId);
        // A 404 without the ledger's error body comes from something else (a proxy, a pre-v2 ledger).
        throw sourceErrorForStatus(api.source, 404);
      }
      const facts = { movesHistory: reply.read('moves-history', mapFormanceMovesHistory) };
      known.set(ledgerId, { facts, until: Date.now() + FACTS_TTL_MS });
      return facts;
    },
    knownMovesHistory(ledgerId) {
      const entry = known.get(ledgerId);
      return entry && Date.now() < entry.until ? entry.facts.movesHistory : null;
    },
    recordNoMovesHistory(ledgerId) {
      known.set(ledgerId, { facts: { movesHistory: false }, until: Date.now() + FACTS_TTL_MS });
    },
  };
}

/**
 * Most HTTP requests one read of a source sends (api.ts), for the cost estimate: the read is tried
 * `1 + retries` times; with OAuth credentials, a token request comes first when none is cached, and
 * when the ledger refuses a cached token with a 401, one new token and the read again. A token
 * request is a POST, never retried (http/retry-within-deadline.ts).
 */
export function formanceRequestsPerRead(retries: number, oauth: boolean): number {
  return oauth ? 2 * (1 + retries) + 2 : 1 + retries;
}

/** Whether a source's options (as `formanceProvider.options` read them) carry OAuth credentials. */
export function formanceUsesOAuth(options: unknown): boolean {
  return typeof options === 'object' && options !== null && 'auth' in options && options.auth !== undefined;
}

/** `GET /_info`: every ledger name, unpaged (`config.storage.ledgers`), read once per vendor answer. */
export async function readLedgerNames(api: FormanceApi): Promise<readonly string[]> {
  const reply = await api.get('/_info');
  return reply.read('ledger-names', (body) => {
    const storage = readObject(
      readObject(readObject(readObject(body, 'info').data, 'info.data').config, 'info.config').storage,
      'info.storage',
    );
    return readArray(storage.ledgers, 'info.storage.ledgers').map((ledger) => readString(ledger, 'ledger name'));
  });
}
