import { extendSimulator, startSimulatorServer } from '../server.ts';
import type { SimulatorHandle, SimulatorReply, SimulatorRequest } from '../types.ts';
import { createTokenIssuer } from './auth.ts';
import { createLedger, DEFAULT_FEATURES, type Ledger } from './data.ts';
import {
  aggregateBalancesV1,
  listAccountsV1,
  listBalancesV1,
  readAccountV1,
  serverInfo,
  type Reply,
} from './routes-v1.ts';
import { aggregateBalancesV2, listAccountsV2, listVolumesV2, readLedgerV2 } from './routes-v2.ts';
import { formancePagingWire } from './paging-wire.ts';
import { createSeedLedgers } from './seed.ts';
import { createFormanceHistoryTruth, createFormanceTruth, type FormanceHistoryTruth } from './truth.ts';
import { HttpFailure, writeJson, type WireValue } from './wire.ts';

/**
 * A Formance stack on 127.0.0.1: the auth service's client-credentials token endpoint and the
 * ledger v2.4.6 read API under `/api/ledger`, as the server code really behaves (see
 * vendor-specs/NOTES.md §1): bare 401 without a valid bearer token except on `/_info`, v1 pages of
 * up to 1000 and v2 pages of up to 100, opaque base64url cursors, amounts as bare JSON integers of
 * any size, v1 reads that create the ledger they name, and dated `/v2/{ledger}/volumes` reads over
 * postings spread from 2025-01-06 to 2026-11-01.
 */

export const FORMANCE_DEMO_CLIENT_ID = 'balance-gateway-demo';
export const FORMANCE_DEMO_CLIENT_SECRET = 'demo-secret-8c1f0e6b2d7a4e93';

export interface FormanceSimulatorOptions {
  /** Default FORMANCE_DEMO_CLIENT_ID. */
  clientId?: string;
  /** Default FORMANCE_DEMO_CLIENT_SECRET. */
  clientSecret?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Lifetime of an issued access token. Default 3600. */
  tokenTtlSeconds?: number;
}

export type FormanceSimulator = SimulatorHandle & {
  /** Token requests received (successful or not). */
  readonly tokenRequests: number;
  /** Forgets every issued token, as a key rotation would: the next call with one is a 401. */
  revokeTokens(): void;
  /** The books over time: balances at past instants, and each account's moves. */
  readonly history: FormanceHistoryTruth;
};

const LEDGER_NAME = /^[0-9a-zA-Z_-]{1,63}$/;
const RESERVED_LEDGER_NAMES = ['_', '_info', '_healthcheck'];

export async function startFormanceSimulator(options: FormanceSimulatorOptions = {}): Promise<FormanceSimulator> {
  const clientId = options.clientId ?? FORMANCE_DEMO_CLIENT_ID;
  const clientSecret = options.clientSecret ?? FORMANCE_DEMO_CLIENT_SECRET;
  const ttlSeconds = options.tokenTtlSeconds ?? 3600;
  const ledgers: Ledger[] = createSeedLedgers();
  const issuer = createTokenIssuer(clientId, clientSecret, ttlSeconds);

  const findLedger = (name: string) => ledgers.find((ledger) => ledger.name === name);

  /** v1's `autoCreateMiddleware`: a v1 read of an unknown ledger creates it with the default features. */
  function ledgerForV1(name: string): Ledger {
    const existing = findLedger(name);
    if (existing) return existing;
    if (!LEDGER_NAME.test(name) || RESERVED_LEDGER_NAMES.includes(name))
      throw new HttpFailure(400, 'VALIDATION', `invalid ledger name '${name}'`);
    const created = createLedger(ledgers.length + 1, name, DEFAULT_FEATURES);
    ledgers.push(created);
    return created;
  }

  function ledgerForV2(name: string): Ledger {
    const ledger = findLedger(name);
    if (!ledger) throw new HttpFailure(404, 'LEDGER_NOT_FOUND', 'ledger not found');
    return ledger;
  }

  /** Routes one request; null means no such route (chi's plain-text 404). */
  function route(request: SimulatorRequest): Reply | 'unauthorized' | null {
    const { method, path, headers, body, query: params } = request;
    if (path === '/api/auth/oauth/token') return method === 'POST' ? issuer.issue(body, headers) : null;
    if (method !== 'GET' || !path.startsWith('/api/ledger/')) return null;
    const segments = path.slice('/api/ledger/'.length).split('/');
    if (segments.join('/') === '_info') return serverInfo(ledgers);
    const handler = ((): (() => Reply) | null => {
      const [first = '', second, third, fourth] = segments;
      const name = decodeURIComponent(first === 'v2' ? (second ?? '') : first);
      const rest = (first === 'v2' ? segments.slice(2) : segments.slice(1)).join('/');
      if (first === 'v2') {
        if (second === undefined || second === '') return null;
        if (rest === '')
          return () => {
            const ledger = findLedger(name);
            if (!ledger) throw new HttpFailure(404, 'NOT_FOUND', 'ledger not found');
            return readLedgerV2(ledger);
          };
        if (rest === 'accounts') return () => listAccountsV2(ledgerForV2(name), params, body, headers);
        if (rest === 'volumes') return () => listVolumesV2(ledgerForV2(name), params, body, headers);
        if (rest === 'aggregate/balances') return () => aggregateBalancesV2(ledgerForV2(name), params, body, headers);
        return null;
      }
      if (rest === 'accounts') return () => listAccountsV1(ledgerForV1(name), params);
      if (second === 'accounts' && third !== undefined && third !== '' && fourth === undefined)
        return () => readAccountV1(ledgerForV1(name), third);
      if (rest === 'balances') return () => listBalancesV1(ledgerForV1(name), params);
      if (rest === 'aggregate/balances') return () => aggregateBalancesV1(ledgerForV1(name), params);
      return null;
    })();
    if (!handler) return null;
    // go-libs auth.Middleware: no body, just the status.
    if (!issuer.authorized(headers)) return 'unauthorized';
    return handler();
  }

  /** One request: the route's reply, a bare 401, chi's plain-text 404 or the ledger error envelope. */
  function answer(request: SimulatorRequest): SimulatorReply {
    const json = (status: number, value: WireValue): SimulatorReply => ({
      status,
      headers: { 'content-type': 'application/json' },
      body: writeJson(value),
    });
    try {
      const reply = route(request);
      if (reply === null)
        return { status: 404, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '404 page not found\n' };
      if (reply === 'unauthorized') return { status: 401, body: '' };
      return json(reply.status, reply.json);
    } catch (error) {
      const failure =
        error instanceof HttpFailure
          ? error
          : new HttpFailure(500, 'INTERNAL', 'Internal error. Consult logs/traces to have more details.');
      return json(failure.status, { errorCode: failure.errorCode, errorMessage: failure.message } satisfies WireValue);
    }
  }

  const server = await startSimulatorServer(answer, { port: options.port, paging: formancePagingWire });
  return extendSimulator(server, {
    truth: createFormanceTruth(ledgers),
    history: createFormanceHistoryTruth(ledgers),
    get tokenRequests() {
      return issuer.requests;
    },
    revokeTokens: () => issuer.revoke(),
  });
}
