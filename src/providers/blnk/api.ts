import { HttpClient } from '../http/index.ts';
import type { SourceTransport } from '../http/index.ts';

export interface BlnkClientOptions {
  readonly source: string;
  readonly url: string;
  readonly timeoutMs: number;
  /** Sent as `X-Blnk-Key` on every call; none for a server with `server.secure` off. */
  readonly apiKey: string | undefined;
  readonly transport: SourceTransport | undefined;
}

/** The paths the connector calls, as route templates: the kind of call in metrics and spans. */
const BLNK_ROUTES = [
  '/balances',
  '/balances/filter',
  '/balances/{balance_id}',
  '/balances/{balance_id}/at',
  '/ledgers',
  '/ledgers/{ledger_id}',
];

/**
 * The HTTP client of one Blnk server: paths sit at the URL's root (no version prefix), and the
 * master key or an API key authenticates every call (api/middleware/auth.go).
 */
export function createBlnkClient(options: BlnkClientOptions): HttpClient {
  const { apiKey } = options;
  return new HttpClient({
    source: options.source,
    baseUrl: options.url,
    timeoutMs: options.timeoutMs,
    transport: options.transport,
    routes: BLNK_ROUTES,
    authorize: apiKey === undefined ? undefined : () => ({ 'X-Blnk-Key': apiKey }),
  });
}
