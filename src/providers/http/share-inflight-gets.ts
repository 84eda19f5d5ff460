import type { HttpResponse, SendCall } from './types.ts';

/**
 * Joins identical GETs in flight into one upstream call (retries and breaker included), its answer
 * or its failure shared by every caller. Identical means the same target, caller headers and
 * accepted statuses. Once the call settles the next one goes upstream again: joining is not
 * caching. A call with a body or another method always goes on its own.
 */
export function shareInflightGets(send: SendCall): SendCall {
  const inflight = new Map<string, Promise<HttpResponse>>();
  return (request, target) => {
    if (request.method !== 'GET' || request.body !== undefined) return send(request, target);
    const key = `${target}\n${JSON.stringify(request.headers ?? {})}\n${(request.accept ?? []).join(',')}`;
    const existing = inflight.get(key);
    if (existing) return existing;
    const pending = send(request, target).finally(() => inflight.delete(key));
    inflight.set(key, pending);
    return pending;
  };
}
