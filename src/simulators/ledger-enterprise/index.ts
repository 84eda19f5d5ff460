import { extendSimulator, startSimulatorServer } from '../server.ts';
import { ledgerEnterprisePagingWire } from './paging-wire.ts';
import type { SimulatorHandle, SimulatorRequest, SimulatorTruth } from '../types.ts';
import {
  assetOf,
  createLedgerEnterpriseSeed,
  currentTotal,
  type LedgerEnterpriseData,
  type SeedAccount,
} from './data.ts';
import { matchAccounts, route } from './routes.ts';
import { errorReply, type Reply } from './wire.ts';

export { assetOf, CURRENCIES, currentTotal, totalAt } from './data.ts';
export type { LedgerEnterpriseData, SeedAccount, SeedCurrency } from './data.ts';
export { GATE_MAX_PAGE_SIZE } from './routes.ts';
export { formatPythonTime } from './wire.ts';

/** The API user the demo registers on its simulated LAM. */
export const LEDGER_ENTERPRISE_DEMO_API_USER = 'balance-gateway-demo';
/** The LAM API key of the demo. */
export const LEDGER_ENTERPRISE_DEMO_API_KEY = 'le-demo-lam-api-key';
/** The single ledger the gateway shows for a Ledger Enterprise workspace, as `truth` names it. */
export const LEDGER_ENTERPRISE_LEDGER_ID = 'workspace';

/**
 * A Ledger Enterprise LAM (Vault API v1, spec 1.35.0) on 127.0.0.1, seeded with a workspace of
 * 300 accounts: header auth, the paged account search, the three balance shapes, balance history
 * (501 for Solana), currencies, the `Error` body and the HTTP 420 rate limit.
 */
export interface LedgerEnterpriseSimulatorOptions {
  /** The API user registered on the LAM (`X-Ledger-API-User`). Default LEDGER_ENTERPRISE_DEMO_API_USER. */
  apiUser?: string;
  /** The LAM API key (`X-Ledger-API-Key`); null when the LAM was set up without one. Default LEDGER_ENTERPRISE_DEMO_API_KEY. */
  apiKey?: string | null;
  /** Default 0: any free port. */
  port?: number;
  /** Delay before each answer, to make concurrency observable. Default 0. */
  latencyMs?: number;
  /** "Now" for history bounds left out, in epoch microseconds. Default the clock. */
  now?: () => number;
}

export interface ThrottleOptions {
  /** 420 (what the Vault documents) or 429. Default 420. */
  status?: 420 | 429;
  /** The `Retry-After` header, in seconds. Default 0. */
  retryAfterSeconds?: number;
}

export interface LedgerEnterpriseSimulatorHandle extends SimulatorHandle {
  readonly data: LedgerEnterpriseData;
  /** Most requests in progress at once since start or the last `resetRequests()`. */
  readonly peakInFlight: number;
  /** Answers the next `count` requests with a rate-limit error and `Retry-After`. */
  throttleNext(count: number, options?: ThrottleOptions): void;
}

/** The spec's security: `X-Ledger-API-User` always, `X-Ledger-API-Key` when the LAM has one. */
function authenticate(request: SimulatorRequest, apiUser: string, apiKey: string | null): Reply | null {
  const user = request.headers['x-ledger-api-user'];
  const key = request.headers['x-ledger-api-key'];
  if (user !== apiUser || (apiKey !== null && key !== apiKey))
    return errorReply(401, 'Unauthorized: invalid or missing API credentials');
  return null;
}

const STATUS_TEXT: Readonly<Record<number, string>> = { 420: 'Enhance Your Calm' };

export async function startLedgerEnterpriseSimulator(
  options: LedgerEnterpriseSimulatorOptions = {},
): Promise<LedgerEnterpriseSimulatorHandle> {
  const data = createLedgerEnterpriseSeed();
  const apiUser = options.apiUser ?? LEDGER_ENTERPRISE_DEMO_API_USER;
  const apiKey = options.apiKey === undefined ? LEDGER_ENTERPRISE_DEMO_API_KEY : options.apiKey;
  const now = options.now ?? (() => Date.now() * 1000);
  let throttle: { remaining: number; status: 420 | 429; retryAfter: number } = {
    remaining: 0,
    status: 420,
    retryAfter: 0,
  };
  const server = await startSimulatorServer(
    (request) => {
      let reply: Reply;
      if (throttle.remaining > 0) {
        throttle.remaining -= 1;
        reply = errorReply(throttle.status, 'Rate limit exceeded', {
          'retry-after': String(throttle.retryAfter),
          'x-ratelimit-limit': '100',
          'x-ratelimit-remaining': '0',
          'x-ratelimit-reset': String(throttle.retryAfter),
        });
      } else {
        try {
          reply =
            authenticate(request, apiUser, apiKey) ?? route(data, request.method, request.path, request.query, now());
        } catch {
          reply = errorReply(500, 'Internal server error');
        }
      }
      return {
        status: reply.status,
        statusText: STATUS_TEXT[reply.status],
        headers: { 'content-type': 'application/json', ...reply.headers },
        body: JSON.stringify(reply.json),
      };
    },
    {
      port: options.port,
      latencyMs: options.latencyMs,
      rateLimitStatus: 420,
      paging: ledgerEnterprisePagingWire,
      quotaStyle: 'vault',
    },
  );

  /** The accounts in the order the search answers without parameters (newest first). */
  const workspace = (ledgerId: string): SeedAccount[] => {
    const rows = ledgerId === LEDGER_ENTERPRISE_LEDGER_ID ? matchAccounts(data, new URLSearchParams()) : [];
    return Array.isArray(rows) ? rows : [];
  };
  const truth: SimulatorTruth = {
    ledgers: () => [{ id: LEDGER_ENTERPRISE_LEDGER_ID, name: LEDGER_ENTERPRISE_LEDGER_ID }],
    accounts: (ledgerId) =>
      workspace(ledgerId).map((account) => ({ id: String(account.id), address: String(account.id) })),
    // One balance per account, in the search order: what the connector's listBalances reads.
    balances: (ledgerId) =>
      workspace(ledgerId).map((account) => {
        const asset = assetOf(account.currency);
        return {
          accountId: String(account.id),
          balanceId: asset,
          asset,
          scale: account.currency.magnitude,
          total: currentTotal(account).toString(),
        };
      }),
  };

  const throttling = {
    data,
    truth,
    throttleNext(count: number, throttleOptions: ThrottleOptions = {}) {
      throttle = {
        remaining: count,
        status: throttleOptions.status ?? 420,
        retryAfter: throttleOptions.retryAfterSeconds ?? 0,
      };
    },
  };
  return extendSimulator(server, throttling);
}
