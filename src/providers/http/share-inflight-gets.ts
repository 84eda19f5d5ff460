import { operationEndedError } from '../../operation-end.ts';
import { createSharedWork } from '../shared-work.ts';
import { readKeyOf } from './read-key.ts';
import type { HttpResponse, SendCall } from './types.ts';

/**
 * Joins identical GETs in flight into one upstream call (retries and breaker included), its answer
 * or its failure shared by every caller. Identical means the same read key (read-key.ts: target,
 * caller headers, accepted statuses) and the same read-cache generation (`cacheGeneration`): a read looked up
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
    // The read cache hands its key in on a miss; without a cache, the key is built here, once.
    const read = request.readKey ?? readKeyOf(request, target);
    if (read === undefined) return send(request, target);
    const key = request.cacheGeneration === undefined ? read : `${read}\n${request.cacheGeneration}`;
    return share(key, () => send(request, target));
  };
}
