import { HttpClient } from '../http/index.ts';
import type { SourceTransport } from '../http/index.ts';

export interface VaultClientOptions {
  readonly source: string;
  readonly url: string;
  readonly timeoutMs: number;
  /** The API user registered on the LAM, sent as `X-Ledger-API-User`. */
  readonly apiUser: string;
  /** The LAM API key, sent as `X-Ledger-API-Key` when the LAM was initialised with one. */
  readonly apiKey: string | undefined;
  readonly transport: SourceTransport | undefined;
  /** Most calls in flight at once for the source (`concurrency`), granted fairly between operations. */
  readonly concurrency: number;
}

/**
 * The HTTP client of one LAM (the Vault API module): the API paths sit at its root, and both
 * headers go on every call (https://help.vault.ledger.com/Content/api/api_overview.html).
 */
export function createVaultClient(options: VaultClientOptions): HttpClient {
  const headers: Record<string, string> = { 'X-Ledger-API-User': options.apiUser };
  if (options.apiKey !== undefined) headers['X-Ledger-API-Key'] = options.apiKey;
  return new HttpClient({
    source: options.source,
    baseUrl: options.url,
    timeoutMs: options.timeoutMs,
    transport: options.transport,
    routes: [
      '/accounts',
      '/accounts/{id}',
      '/accounts/{id}/balances',
      '/accounts/{id}/balances/history',
      '/accounts/{id}/currency',
    ],
    authorize: () => headers,
    connections: options.concurrency,
  });
}
