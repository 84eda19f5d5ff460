import { operationEndedError } from '../../operation-end.ts';
import { createSharedWork } from '../shared-work.ts';
import type { HttpResponse, SendCall } from './types.ts';

/**
 * Joins identical GETs in flight into one upstream call (retries and breaker included), its answer
 * or its failure shared by every caller. Identical means the same target, caller headers and
 * accepted statuses, and the same read-cache generation (`cacheGeneration`): a read looked up
 * after a write cleared the cache starts its own call. Once the call settles the next one goes upstream again: joining is not
 * caching. A call with a body or another method always goes on its own.
 *
 * Callers may belong to different operations: one that ends (deadline, client gone, answer sent)
 * gets its own OPERATION_* error at once while the call goes on for the others, and the call is
 * aborted only when every caller has left (shared-work.ts).
 */
export function shareInflightGets(source: string, send: SendCall): SendCall {
  const share = createSharedWork<HttpResponse>((reason) => operationEndedError(source, reason));
  return (request, target) => {
    if (request.method !== 'GET' || request.body !== undefined) return send(request, target);
    const key = `${target}\n${JSON.stringify(request.headers ?? {})}\n${(request.accept ?? []).join(',')}\n${request.cacheGeneration ?? ''}`;
    return share(key, () => send(request, target));
  };
}
