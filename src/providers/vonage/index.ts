import { NotFoundError, SourceError, sourceErrorForStatus } from '../../errors.ts';
import { HttpClient } from '../http/index.ts';
import { isObject, parseLosslessJson } from '../json.ts';
import { defineProvider, type AccountModel, type Connector, type LedgerModel, type TopUpModel } from '../types.ts';
import {
  mapVonageAccount,
  mapVonagePrimary,
  mapVonageSubaccounts,
  VONAGE_LEDGER_ID,
  type VonageAccount,
} from './map.ts';

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

export const createVonageConnector = defineProvider<VonageOptions>((name, options, transport): Connector => {
  const basic = `Basic ${Buffer.from(`${options.auth.apiKey}:${options.auth.apiSecret}`).toString('base64')}`;
  const authorize = () => ({ authorization: basic });
  const account = new HttpClient({
    source: name,
    baseUrl: options.url,
    timeoutMs: options.timeoutMs,
    transport,
    authorize,
  });
  const sameHost = !options.subaccountsUrl || options.subaccountsUrl === options.url;
  const subaccounts = sameHost
    ? account
    : new HttpClient({
        source: name,
        baseUrl: options.subaccountsUrl as string,
        timeoutMs: options.timeoutMs,
        transport,
        authorize,
      });
  const ledger: LedgerModel = {
    source: name,
    ledgerId: VONAGE_LEDGER_ID,
    name: 'Vonage account',
    createdAt: null,
    metadata: null,
  };
  const primaryKey = options.auth.apiKey;

  const readPrimary = async (): Promise<VonageAccount> => {
    const { body } = await account.json({ method: 'GET', path: '/account/get-balance' });
    return account.decode(() => mapVonagePrimary(primaryKey, body));
  };
  /** Every subaccount with its balance, in one call; an account without the feature has none (404). */
  const readSubaccounts = async (): Promise<VonageAccount[]> => {
    const { status, body } = await subaccounts.json({
      method: 'GET',
      path: `/accounts/${encodeURIComponent(primaryKey)}/subaccounts`,
      accept: [404],
    });
    return status === 404 ? [] : subaccounts.decode(() => mapVonageSubaccounts(body));
  };
  /** The primary and, when asked for, its subaccounts: two calls answer every account. */
  const readAccounts = async (withSubaccounts: boolean): Promise<AccountModel[]> => {
    const [primary, others] = await Promise.all([
      readPrimary(),
      withSubaccounts ? readSubaccounts() : Promise.resolve([]),
    ]);
    return [primary, ...others].map((item) => account.decode(() => mapVonageAccount(name, item)));
  };
  const lookup = async <T>(
    refs: readonly { ledgerId: string; accountId: string }[],
    pick: (model: AccountModel) => T,
  ): Promise<Array<T | Error>> => {
    const wanted = refs.filter((ref) => ref.ledgerId === VONAGE_LEDGER_ID);
    if (wanted.length === 0)
      return refs.map((ref) => new NotFoundError(`account "${ref.accountId}" was not found`, { source: name }));
    let models: AccountModel[];
    try {
      models = await readAccounts(wanted.some((ref) => ref.accountId !== primaryKey));
    } catch (error) {
      return refs.map(() => (error instanceof Error ? error : new Error(String(error))));
    }
    const byKey = new Map(models.map((model) => [model.accountId, model]));
    return refs.map((ref) => {
      const model = ref.ledgerId === VONAGE_LEDGER_ID ? byKey.get(ref.accountId) : undefined;
      return model ? pick(model) : new NotFoundError(`account "${ref.accountId}" was not found`, { source: name });
    });
  };

  return {
    name,
    kind: 'vonage',
    capabilities: ['LEDGERS', 'ACCOUNTS', 'BALANCES', 'TOP_UP'],
    maxBatchSize: 1000,
    listLedgers: () => ({
      paging: 'offset',
      maxLimit: 100,
      length: 1,
      fetchRange: async (offset, limit) => [ledger].slice(offset, offset + limit),
    }),
    getLedgers: async (refs) =>
      refs.map((ref) =>
        ref.ledgerId === VONAGE_LEDGER_ID
          ? ledger
          : new NotFoundError(`ledger "${ref.ledgerId}" was not found`, { source: name }),
      ),
    listAccounts: () => ({
      paging: 'offset',
      maxLimit: 1000,
      fetchRange: async (offset, limit) => (await readAccounts(true)).slice(offset, offset + limit),
    }),
    getAccounts: (refs) => lookup(refs, (model) => model),
    listBalances: (_ledger, filter) => ({
      paging: 'offset',
      maxLimit: 1000,
      fetchRange: async (offset, limit) =>
        (await readAccounts(true))
          .flatMap((model) => model.balances ?? [])
          .filter((balance) => !filter.asset || balance.asset === filter.asset)
          .slice(offset, offset + limit),
    }),
    getAccountBalances: (refs) => lookup(refs, (model) => model.balances ?? []),

    async topUp({ trx }): Promise<TopUpModel> {
      // A mutation: HttpClient never retries a POST, so a failed top-up is sent exactly once.
      const response = await account.send({
        method: 'POST',
        path: '/account/top-up',
        body: { form: { trx } },
        accept: [401],
      });
      const label = readLabel(response.text);
      if (response.status === 200) return { source: name, trx, outcome: 'SUCCESS' };
      // Both refusals are 401; only the label tells "not auto-reload enabled" from bad credentials.
      if (label === 'not auto-reload enabled') return { source: name, trx, outcome: 'AUTO_RELOAD_DISABLED' };
      if (label === 'authentication failed') throw sourceErrorForStatus(name, 401);
      throw new SourceError(
        'SOURCE_BAD_RESPONSE',
        `source "${name}" answered the top-up with an unexpected HTTP ${response.status}`,
        { source: name, retryable: false },
      );
    },

    close: async () => {
      await Promise.all([account.close(), sameHost ? undefined : subaccounts.close()]);
    },
  };
});

/** `{"error-code":"401","error-code-label":"…"}` → the label, or null for any other body. */
function readLabel(text: string): string | null {
  try {
    const body = parseLosslessJson(text);
    return isObject(body) && typeof body['error-code-label'] === 'string' ? body['error-code-label'] : null;
  } catch {
    return null;
  }
}
