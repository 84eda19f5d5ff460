import { createServer, type Server } from 'node:http';
import type { GatewayMetrics } from './gateway-metrics.ts';

/** The path Prometheus scrapes, on the main port or on `server.metrics.port`. */
export const METRICS_PATH = '/metrics';

export interface MetricsAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * The answer to a GET of `/metrics`. It needs no credentials, so a browser page must not read it
 * from another site: a request carrying `Origin` (every cross-origin fetch does) or a
 * `Sec-Fetch-Site` other than `same-origin`/`none` is refused with 403, whatever the CORS
 * allow-list says; scrapers send neither.
 */
export async function answerMetrics(
  metrics: GatewayMetrics,
  method: string,
  header: (name: string) => string | null | undefined,
): Promise<MetricsAnswer> {
  const plain = { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' };
  if (method !== 'GET' && method !== 'HEAD')
    return { status: 405, headers: { ...plain, allow: 'GET, HEAD' }, body: '' };
  const site = header('sec-fetch-site');
  if (header('origin') != null || (site != null && site !== 'same-origin' && site !== 'none'))
    return { status: 403, headers: plain, body: 'metrics are not served to browser pages of other sites\n' };
  const text = await metrics.text();
  return {
    status: 200,
    headers: { 'content-type': metrics.contentType, 'cache-control': 'no-store' },
    body: method === 'HEAD' ? '' : text,
  };
}

/** Serves `/metrics` alone on `host:port` (`server.metrics.port`); every other path is 404. */
export async function listenForMetrics(metrics: GatewayMetrics, host: string, port: number): Promise<Server> {
  const server = createServer((request, response) => {
    const path = (request.url ?? '').split('?')[0];
    if (path !== METRICS_PATH) {
      response.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value.join(',') : value;
    };
    answerMetrics(metrics, request.method ?? 'GET', header).then(
      (answer) => response.writeHead(answer.status, answer.headers).end(answer.body),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}
