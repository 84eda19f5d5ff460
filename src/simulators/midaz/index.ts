import { extendSimulator, startSimulatorServer } from '../server.ts';
import { midazPagingWire } from './paging-wire.ts';
import type { SimulatorHandle, SimulatorRequest, SimulatorTruth } from '../types.ts';
import { currentOf, type MidazData, type MidazSeedBalance } from './data.ts';
import type { RouteContext } from './route-context.ts';
import { route } from './routes.ts';
import { createMidazSeed, MIDAZ_ASSET_SCALES, MIDAZ_DEMO_ORGANIZATION_ID } from './seed.ts';
import { fiberError, writeJson, type Reply } from './wire.ts';

export { MIDAZ_ASSET_SCALES, MIDAZ_DEMO_ORGANIZATION_ID, MIDAZ_OTHER_ORGANIZATION_ID } from './seed.ts';
export type { MidazData, MidazOperation, MidazSeedAccount, MidazSeedBalance, MidazSeedLedger } from './data.ts';

/** The bearer token the demo runs the simulator with (the auth plugin on, as in production). */
export const MIDAZ_DEMO_TOKEN = 'midaz-demo-access-token';
/** The asset scales of the demo source's `assetScales`. */
export const MIDAZ_DEMO_ASSET_SCALES = MIDAZ_ASSET_SCALES;

/**
 * A Midaz v3.8.0 ledger service (github.com/LerianStudio/midaz, components/ledger) on 127.0.0.1,
 * seeded with deterministic data: organizations, ledgers and accounts with offset paging,
 * balances with lib-commons keyset cursors (backward-paging quirk included), point-in-time
 * balances, decimal-string amounts, v3 error bodies and, when a token is set, Bearer auth.
 */
export interface MidazSimulatorOptions {
  /** Require `Authorization: Bearer <token>` (the auth plugin enabled). Default: no auth (`PLUGIN_AUTH_ENABLED=false`). */
  token?: string;
  /** Default 0: any free port. */
  port?: number;
  /** `MAX_PAGINATION_LIMIT`. Default 100. */
  maxPaginationLimit?: number;
  /** Delay before each answer, to make concurrency observable. Default 0. */
  latencyMs?: number;
  /** The server's clock in epoch milliseconds, which the future-date check of the history endpoints reads. Default `Date.now`. */
  clock?: () => number;
}

export interface MidazSimulatorHandle extends SimulatorHandle {
  readonly data: MidazData;
  /** The organization whose ledgers `truth` describes. */
  readonly organizationId: string;
  /** Most requests in progress at once since start or the last `resetRequests()`. */
  readonly peakInFlight: number;
}

/**
 * Whether a balance is the system-managed `overdraft` companion of an overdraft-enabled balance.
 * Its amount is the parent's `overdraftUsed` again, so the gateway folds it into the parent.
 */
export const isCompanion = (balance: MidazSeedBalance) => balance.key === 'overdraft';

/** The gateway's book balance of a Midaz balance: available + on hold − overdraft used, in minor units. */
export const netOf = (balance: MidazSeedBalance) => {
  const current = currentOf(balance);
  return current.available + current.onHold - balance.overdraftUsed;
};

/**
 * Auth plugin (lib-auth) answers, in Midaz's 0041/0042 error shape. The plugin's own bodies were
 * not checked against its source; the status (401) is what clients rely on.
 */
function authenticate(options: MidazSimulatorOptions, request: SimulatorRequest): Reply | null {
  if (options.token === undefined) return null;
  const header = request.headers.authorization;
  if (typeof header !== 'string' || header === '') {
    return fiberError(
      401,
      '0041',
      'Token Missing',
      'A valid token must be provided in the request header. Please include a token and try again.',
    );
  }
  if (header !== `Bearer ${options.token}`) {
    return fiberError(
      401,
      '0042',
      'Invalid Token',
      'The provided token is expired, invalid or malformed. Please provide a valid token and try again.',
    );
  }
  return null;
}

export async function startMidazSimulator(options: MidazSimulatorOptions = {}): Promise<MidazSimulatorHandle> {
  const data = createMidazSeed();
  const context: RouteContext = {
    data,
    maxLimit: options.maxPaginationLimit ?? 100,
    nowMicros: () => (options.clock ?? Date.now)() * 1000,
  };
  const server = await startSimulatorServer(
    (request) => {
      let reply: Reply;
      try {
        reply = authenticate(options, request) ?? route(context, request.method, request.path, request.query);
      } catch {
        reply = fiberError(
          500,
          '0046',
          'Internal Server Error',
          'The server encountered an unexpected error. Please try again later or contact support.',
        );
      }
      return reply.text === undefined
        ? { status: reply.status, headers: { 'content-type': 'application/json' }, body: writeJson(reply.json) }
        : { status: reply.status, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: reply.text };
    },
    { port: options.port, latencyMs: options.latencyMs, paging: midazPagingWire },
  );

  const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const truth: SimulatorTruth = {
    ledgers: () =>
      data.ledgers
        .filter((ledger) => ledger.organizationId === MIDAZ_DEMO_ORGANIZATION_ID)
        .sort(byId)
        .map((ledger) => ({ id: ledger.id, name: ledger.name })),
    accounts: (ledgerId) =>
      data.accounts
        .filter((account) => account.ledgerId === ledgerId)
        .sort((a, b) => a.createdAtMicros - b.createdAtMicros)
        .map((account) => ({ id: account.id, address: account.alias })),
    // The ledger's balances in list order (by id), without the `overdraft` companions the gateway folds into their parents.
    balances: (ledgerId) =>
      data.balances
        .filter((balance) => balance.ledgerId === ledgerId && !isCompanion(balance))
        .sort(byId)
        .map((balance) => ({
          accountId: balance.accountId,
          balanceId: balance.id,
          asset: balance.assetCode,
          scale: MIDAZ_ASSET_SCALES[balance.assetCode] ?? 0,
          total: netOf(balance).toString(),
        })),
  };

  return extendSimulator(server, { data, organizationId: MIDAZ_DEMO_ORGANIZATION_ID, truth });
}
