import type { HttpRequest } from './types.ts';

/**
 * What makes two vendor calls the same read, for the read cache and for in-flight sharing: the
 * target (path and query below the base URL's origin), the caller's headers, credentials included
 * (reads under two credentials never share an entry or a call), and the statuses the caller takes
 * besides 2xx (a caller that takes a 404 never gets the failure another caller's 404 was).
 * Undefined for anything but a GET without a body: that is never cached nor joined.
 *
 * Built once per call by the outermost layer that needs it and handed inward on the request
 * (`LayeredRequest.readKey`). The text is the one the read cache has always used, so the shared
 * read cache's Redis keys (an HMAC of it) stay the same across an upgrade. It holds credentials:
 * it never goes into a log line, a metric, a span or an error.
 */
export function readKeyOf(request: HttpRequest, target: string): string | undefined {
  if (request.method !== 'GET' || request.body !== undefined) return undefined;
  return `${target}\n${JSON.stringify(request.headers ?? {})}\n${(request.accept ?? []).join(',')}`;
}
