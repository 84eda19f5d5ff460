import { createRequestRecorder } from '../recorder.ts';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecordedRequest, SimulatorHandle } from '../types.ts';
import { createTokenIssuer } from './auth.ts';
import { createLedger, createSeedLedgers, DEFAULT_FEATURES, type Ledger } from './data.ts';
import { aggregateBalancesV1, listAccountsV1, listBalancesV1, readAccountV1, serverInfo, type Reply } from './routes-v1.ts';
import { aggregateBalancesV2, listAccountsV2, listVolumesV2, readLedgerV2 } from './routes-v2.ts';
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

type MutableRecord = { -readonly [K in keyof RecordedRequest]: RecordedRequest[K] };

const LEDGER_NAME = /^[0-9a-zA-Z_-]{1,63}$/;
const RESERVED_LEDGER_NAMES = ['_', '_info', '_healthcheck'];

export async function startFormanceSimulator(options: FormanceSimulatorOptions = {}): Promise<FormanceSimulator> {
  const clientId = options.clientId ?? FORMANCE_DEMO_CLIENT_ID;
  const clientSecret = options.clientSecret ?? FORMANCE_DEMO_CLIENT_SECRET;
  const ttlSeconds = options.tokenTtlSeconds ?? 3600;
  const ledgers: Ledger[] = createSeedLedgers();
  const issuer = createTokenIssuer(clientId, clientSecret, ttlSeconds);
  const recorder = createRequestRecorder();
  let closing: Promise<void> | undefined;

  const findLedger = (name: string) => ledgers.find((ledger) => ledger.name === name);

  /** v1's `autoCreateMiddleware`: a v1 read of an unknown ledger creates it with the default features. */
  function ledgerForV1(name: string): Ledger {
    const existing = findLedger(name);
    if (existing) return existing;
    if (!LEDGER_NAME.test(name) || RESERVED_LEDGER_NAMES.includes(name)) throw new HttpFailure(400, 'VALIDATION', `invalid ledger name '${name}'`);
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
  function route(record: MutableRecord, params: URLSearchParams): Reply | 'unauthorized' | null {
    const { method, path, headers, body } = record;
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
        if (rest === '') return () => {
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
      if (second === 'accounts' && third !== undefined && third !== '' && fourth === undefined) return () => readAccountV1(ledgerForV1(name), third);
      if (rest === 'balances') return () => listBalancesV1(ledgerForV1(name), params);
      if (rest === 'aggregate/balances') return () => aggregateBalancesV1(ledgerForV1(name), params);
      return null;
    })();
    if (!handler) return null;
    // go-libs auth.Middleware: no body, just the status.
    if (!issuer.authorized(headers)) return 'unauthorized';
    return handler();
  }

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const url = new URL(request.url ?? '/', 'http://simulator');
    const query: Record<string, string[]> = {};
    for (const [name, value] of url.searchParams) (query[name] ??= []).push(value);
    const headers: Record<string, string | undefined> = {};
    for (const [name, value] of Object.entries(request.headers)) headers[name] = Array.isArray(value) ? value.join(', ') : value;
    const record: MutableRecord = { method: request.method ?? 'GET', path: url.pathname, query, headers, body: Buffer.concat(chunks).toString('utf8'), status: 0 };
    recorder.record(record);

    let status: number;
    let text: string;
    let type: string | undefined = 'application/json';
    try {
      const reply = route(record, url.searchParams);
      if (reply === null) [status, text, type] = [404, '404 page not found\n', 'text/plain; charset=utf-8'];
      else if (reply === 'unauthorized') [status, text, type] = [401, '', undefined];
      else [status, text] = [reply.status, writeJson(reply.json)];
    } catch (error) {
      const failure = error instanceof HttpFailure ? error : new HttpFailure(500, 'INTERNAL', 'Internal error. Consult logs/traces to have more details.');
      [status, text] = [failure.status, writeJson({ errorCode: failure.errorCode, errorMessage: failure.message } satisfies WireValue)];
    }
    record.status = status;
    response.writeHead(status, { ...(type ? { 'content-type': type } : {}), 'content-length': Buffer.byteLength(text) });
    response.end(text);
  }

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests: recorder.requests,
    get requestCount() {
      return recorder.count;
    },
    resetRequests: () => recorder.reset(),
    truth: createFormanceTruth(ledgers),
    history: createFormanceHistoryTruth(ledgers),
    get tokenRequests() {
      return issuer.requests;
    },
    revokeTokens: () => issuer.revoke(),
    close: () =>
      (closing ??= new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      })),
  };
}
