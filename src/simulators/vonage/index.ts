import { parseDecimal } from '../../money.ts';
import { extendSimulator, startSimulatorServer } from '../server.ts';
import type { SimulatorHandle, SimulatorReply, SimulatorRequest, SimulatorTruth } from '../types.ts';

export const VONAGE_DEMO_API_KEY = 'a1b2c3d4';
export const VONAGE_DEMO_API_SECRET = 'vonage-demo-secret-0001';

export interface VonageSimulatorOptions {
  apiKey?: string;
  apiSecret?: string;
  /** Whether the primary account has auto-reload (top-ups need it). Default true. */
  autoReload?: boolean;
  /** Default 0: any free port. */
  port?: number;
  /** The account's `max-calls-per-second` in its settings (`POST /account/settings`). Default 30, the spec's example. */
  maxCallsPerSecond?: number;
}

interface SeedAccount {
  readonly apiKey: string;
  readonly name: string;
  /** The JSON number text the API writes (8 decimals), or null when the subaccount spends the primary's balance. */
  readonly balance: string | null;
  readonly creditLimit: string | null;
}

export type VonageSimulatorHandle = SimulatorHandle & {
  /** Top-ups received (form `trx` values), accepted or not. */
  readonly topUps: readonly string[];
};

/**
 * The Vonage Account API and Subaccounts API on 127.0.0.1 (vendor-specs/vonage/account.yml,
 * subaccounts.yml): credentials as HTTP Basic or as `api_key`/`api_secret` query parameters, the
 * balance written as a JSON float with 8 decimals exactly as Vonage writes it, each API's own error
 * shape. Values are chosen so a double would not hold them (`1234567.89000001`).
 */
export async function startVonageSimulator(options: VonageSimulatorOptions = {}): Promise<VonageSimulatorHandle> {
  const apiKey = options.apiKey ?? VONAGE_DEMO_API_KEY;
  const apiSecret = options.apiSecret ?? VONAGE_DEMO_API_SECRET;
  const autoReload = options.autoReload ?? true;
  const primary: SeedAccount = { apiKey, name: 'primary', balance: '10.17127500', creditLimit: null };
  const subaccounts: SeedAccount[] = [
    { apiKey: 'sub00001', name: 'Marketing', balance: '1234567.89000001', creditLimit: '100.00000000' },
    { apiKey: 'sub00002', name: 'Support (shares the primary balance)', balance: null, creditLimit: null },
    { apiKey: 'sub00003', name: 'Alerts', balance: '0.50000000', creditLimit: '0.00000000' },
  ];
  const topUps: string[] = [];

  const authorized = (request: SimulatorRequest, url: URL): boolean => {
    const header = request.headers.authorization ?? '';
    if (header.startsWith('Basic '))
      return Buffer.from(header.slice(6), 'base64').toString() === `${apiKey}:${apiSecret}`;
    return url.searchParams.get('api_key') === apiKey && url.searchParams.get('api_secret') === apiSecret;
  };
  const subaccountJson = (account: SeedAccount) =>
    `{"api_key":${JSON.stringify(account.apiKey)},"name":${JSON.stringify(account.name)},"primary_account_api_key":${JSON.stringify(apiKey)},` +
    `"use_primary_account_balance":${account.balance === null},"created_at":"2025-03-01T10:00:00.000Z","suspended":false,` +
    `"balance":${account.balance ?? 'null'},"credit_limit":${account.creditLimit ?? 'null'}}`;

  const server = await startSimulatorServer(
    (request) => {
      const url = new URL(`${request.path}?${request.query}`, 'http://simulator');
      const reply = (status: number, body: string): SimulatorReply => ({
        status,
        headers: { 'content-type': 'application/json' },
        body,
      });
      const legacyError = (label: string) =>
        reply(401, `{"error-code":"401","error-code-label":${JSON.stringify(label)}}`);
      if (request.method === 'GET' && url.pathname === '/account/get-balance') {
        if (!authorized(request, url)) return legacyError('authentication failed');
        return reply(200, `{"value":${primary.balance},"autoReload":${autoReload}}`);
      }
      if (request.method === 'POST' && url.pathname === '/account/top-up') {
        if (!authorized(request, url)) return legacyError('authentication failed');
        const trx = new URLSearchParams(request.body).get('trx');
        if (trx) topUps.push(trx);
        if (!autoReload) return legacyError('not auto-reload enabled');
        return reply(200, '{"error-code":"200","error-code-label":"success"}');
      }
      // No form fields: nothing changes, the current settings come back (the callbacks are unset here).
      if (request.method === 'POST' && url.pathname === '/account/settings') {
        if (!authorized(request, url)) return legacyError('authentication failed');
        const perSecond = options.maxCallsPerSecond ?? 30;
        return reply(
          200,
          `{"mo-callback-url":"","dr-callback-url":"","max-outbound-request":30,"max-inbound-request":30,"max-calls-per-second":${perSecond}}`,
        );
      }
      const match = /^\/accounts\/([^/]+)\/subaccounts$/.exec(url.pathname);
      if (request.method === 'GET' && match) {
        const problem = (status: number, title: string) =>
          reply(
            status,
            JSON.stringify({
              type: 'https://developer.vonage.com/api-errors#unauthorized',
              title,
              detail: title,
              instance: 'simulator',
            }),
          );
        if (!authorized(request, url)) return problem(401, 'Invalid credentials supplied');
        if (decodeURIComponent(match[1] ?? '') !== apiKey)
          return problem(403, 'Account is not authorised to access this resource');
        return reply(
          200,
          `{"_embedded":{"primary_account":${subaccountJson(primary)},"subaccounts":[${subaccounts.map(subaccountJson).join(',')}]}}`,
        );
      }
      return reply(
        404,
        JSON.stringify({
          type: 'https://developer.vonage.com/api-errors#not-found',
          title: 'Not Found',
          detail: 'No such resource',
          instance: 'simulator',
        }),
      );
    },
    { port: options.port },
  );

  const accounts = [primary, ...subaccounts];
  const truth: SimulatorTruth = {
    ledgers: () => [{ id: 'account', name: 'Vonage account' }],
    accounts: (ledgerId) =>
      ledgerId === 'account' ? accounts.map((account) => ({ id: account.apiKey, address: account.apiKey })) : [],
    balances: (ledgerId) =>
      ledgerId === 'account'
        ? accounts
            .filter((account) => account.balance !== null)
            .map((account) => ({
              accountId: account.apiKey,
              balanceId: 'EUR',
              asset: 'EUR',
              scale: 8,
              total: parseDecimal(account.balance as string, 8).toString(),
            }))
        : [],
  };

  return extendSimulator(server, { topUps, truth });
}
