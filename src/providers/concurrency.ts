import { OperationAbortedError } from '../errors.ts';
import { operationEndedError } from '../operation-end.ts';
import { currentScope } from '../request-scope.ts';

/**
 * Runs `run` over items with at most `limit` in flight, for vendors without a multi-key read that
 * must fan out; a rejection becomes that slot's Error, so one failed read fails only its own key.
 *
 * Once the request scope's operation has ended (deadline, client gone, answer sent) no further
 * item is taken: each item left gets the OPERATION_* error a run of this fan-out failed with (it
 * names the source), or one without a source when none ran into it. (The source's own capacity,
 * shared fairly between operations, is the HTTP client's: `limit` only caps one fan-out.)
 */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<R>,
): Promise<Array<R | Error>> {
  const results = new Array<R | Error>(items.length);
  const signal = currentScope()?.signal;
  let ended: Error | undefined;
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      if (signal?.aborted) {
        ended ??= operationEndedError(undefined, signal.reason);
        results[index] = ended;
        continue;
      }
      try {
        results[index] = await run(items[index] as T);
      } catch (error) {
        results[index] = error instanceof Error ? error : new Error(String(error));
        if (error instanceof OperationAbortedError) ended ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
