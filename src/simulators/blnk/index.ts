import { extendSimulator, startSimulatorServer } from '../server.ts';
import { blnkPagingWire } from './paging-wire.ts';
import type { SimulatorHandle, SimulatorRequest, SimulatorTruth } from '../types.ts';
import { currencyScales, totalsAt, type BlnkData } from './data.ts';
import { filterBalances, getBalance, getLedger, listBalances, listLedgers, type RouteContext } from './routes.ts';
import { getBalanceAt } from './routes-history.ts';
import { createBlnkSeed } from './seed.ts';
import { errorJson, writeJson, type Reply } from './wire.ts';

export { currencyScales } from './data.ts';

/** The master key the demo runs the simulator with (secure mode, as a production server would). */
export const BLNK_DEMO_API_KEY = 'blnk-demo-master-key';
/** The scale of every currency the seed uses, for the demo source's `currencyScales`. */
export const BLNK_DEMO_CURRENCY_SCALES = currencyScales;
export type { BlnkData, BlnkMovement, BlnkSeedBalance, BlnkSeedLedger } from './data.ts';

/**
 * A Blnk server (github.com/blnkfinance/blnk, v0.15.2) on 127.0.0.1, seeded with deterministic data:
 * the ledger and balance read endpoints, filters, `null` empty pages, big-integer amounts, the
 * X-Blnk-Key check of secure mode and the ≥ 0.15 error envelope.
 */
export interface BlnkSimulatorOptions {
  /** Secure mode: the master key (`server.secret_key`) every request must carry in `X-Blnk-Key`. Default: no auth. */
  apiKey?: string;
  /** Also accept this API key with read-only scopes: a POST with it answers 403, as `balances:write` is missing. */
  readOnlyApiKey?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Write amounts as JSON strings instead of bare integers. Default false. */
  amountsAsStrings?: boolean;
  /**
   * The server version to answer as. '0.15.2' (default); '0.14.5' adds `currency_multiplier` to
   * balances and answers errors as `{"error": "…"}` alone, with 400 where 0.15 answers 404.
   */
  version?: '0.15.2' | '0.14.5';
  /**
   * What `/balances/{id}/at` answers before a balance's first movement. v0.15.2 answers 200 with
   * zeros (database/balance.go never returns "no data"), so that is the default; 'not-found' answers
   * the catalogued 404 `BAL_HISTORY_NOT_FOUND` instead.
   */
  historyBeforeFirstMovement?: 'zero' | 'not-found';
  /** Delay before each answer, to make concurrency observable. Default 0. */
  latencyMs?: number;
}

export interface BlnkSimulatorHandle extends SimulatorHandle {
  /** The seeded data, for tests that need more than `truth` (movement timelines). */
  readonly data: BlnkData;
  /** Most requests in progress at once since start or the last `resetRequests()`. */
  readonly peakInFlight: number;
}

const RESOURCES = new Set([
  'ledgers',
  'balances',
  'accounts',
  'identities',
  'transactions',
  'balance-monitors',
  'hooks',
  'api-keys',
  'search',
  'reconciliation',
  'metadata',
  'backup',
]);

/** api/middleware/auth.go `Authenticate`: null when the request may pass. */
function authenticate(options: BlnkSimulatorOptions, request: SimulatorRequest): Reply | null {
  if (options.apiKey === undefined && options.readOnlyApiKey === undefined) return null;
  const key = request.headers['x-blnk-key'];
  const deny = (status: number, code: string, message: string): Reply => ({
    status,
    json: { error: message, error_detail: { code, message } },
  });
  if (typeof key !== 'string' || key === '')
    return deny(401, 'AUTH_MISSING_API_KEY', 'Authentication required. Use X-Blnk-Key header');
  if (key === options.apiKey) return null;
  if (key !== options.readOnlyApiKey) return deny(401, 'AUTH_INVALID_API_KEY', 'Invalid API key');
  const resource = request.path.split('/')[1] ?? '';
  if (!RESOURCES.has(resource)) return deny(403, 'AUTH_UNKNOWN_RESOURCE', 'Unknown resource type');
  // Scopes are resource:action with the action taken from the method, so POST /balances/filter needs balances:write.
  return request.method === 'GET'
    ? null
    : deny(403, 'AUTH_INSUFFICIENT_PERMISSIONS', `Insufficient permissions for ${resource}:write`);
}

/** Before 0.15 the flat legacy field was the whole error body, and a missing record was a 400 (`c.JSON(400, {"error": err.Error()})`). */
function toLegacyError(reply: Reply): Reply {
  const body = reply.json as { error_detail?: { code: string; message: string } } | undefined;
  if (reply.text !== undefined || typeof body !== 'object' || body === null || body.error_detail === undefined)
    return reply;
  const { error_detail: detail, ...legacy } = body;
  return reply.status === 404
    ? { status: 400, json: { error: `NOT_FOUND: ${detail.message}` } }
    : { status: reply.status, json: legacy };
}

function route(context: RouteContext, method: string, path: string, query: URLSearchParams, body: string): Reply {
  let segments: string[];
  try {
    segments = path.split('/').slice(1).map(decodeURIComponent); // gin matches the decoded path
  } catch {
    segments = [];
  }
  const [resource, id, tail, ...rest] = segments;
  if (rest.length === 0 && method === 'GET' && resource === 'ledgers') {
    if (id === undefined && tail === undefined) return listLedgers(context, query);
    if (id && tail === undefined) return getLedger(context, id);
  }
  if (rest.length === 0 && resource === 'balances') {
    if (method === 'GET' && id === undefined) return listBalances(context, query);
    if (method === 'POST' && id === 'filter' && tail === undefined) return filterBalances(context, body);
    if (method === 'GET' && id && tail === undefined) return getBalance(context, id);
    if (method === 'GET' && id && tail === 'at') return getBalanceAt(context, id, query);
  }
  return { status: 404, text: '404 page not found' };
}

export async function startBlnkSimulator(options: BlnkSimulatorOptions = {}): Promise<BlnkSimulatorHandle> {
  const data = createBlnkSeed();
  const context: RouteContext = {
    data,
    amountsAsStrings: options.amountsAsStrings ?? false,
    legacyCurrencyMultiplier: options.version === '0.14.5',
    historyBeforeFirstMovement: options.historyBeforeFirstMovement ?? 'zero',
  };
  const server = await startSimulatorServer(
    (request) => {
      let reply: Reply;
      try {
        reply =
          authenticate(options, request) ?? route(context, request.method, request.path, request.query, request.body);
      } catch {
        reply = { status: 500, json: errorJson('GEN_INTERNAL', 'internal server error') };
      }
      if (options.version === '0.14.5') reply = toLegacyError(reply);
      return reply.text === undefined
        ? {
            status: reply.status,
            headers: { 'content-type': 'application/json; charset=utf-8' },
            body: writeJson(reply.json, context),
          }
        : { status: reply.status, headers: { 'content-type': 'text/plain' }, body: reply.text };
    },
    { port: options.port, latencyMs: options.latencyMs, paging: blnkPagingWire, quotaStyle: 'tollbooth' },
  );

  const balancesOf = (ledgerId: string) => data.balances.filter((balance) => balance.ledgerId === ledgerId);
  const truth: SimulatorTruth = {
    ledgers: () => data.ledgers.map((ledger) => ({ id: ledger.ledgerId, name: ledger.name })),
    accounts: (ledgerId) =>
      balancesOf(ledgerId).map((balance) => ({
        id: balance.balanceId,
        address: balance.indicator ?? balance.balanceId,
      })),
    balances: (ledgerId) =>
      balancesOf(ledgerId).map((balance) => ({
        accountId: balance.balanceId,
        balanceId: balance.balanceId,
        asset: balance.currency,
        scale: currencyScales[balance.currency] ?? 0,
        total: totalsAt(balance).balance.toString(),
      })),
  };

  return extendSimulator(server, { data, truth });
}
