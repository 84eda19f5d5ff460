import { currentScope, runDetachedUnder } from '../request-scope.ts';

interface Run<T> {
  readonly controller: AbortController;
  promise: Promise<T>;
  /** Callers inside an operation still waiting for the run. */
  waiting: number;
  /** A caller outside any operation joined: it never leaves, so the run is never aborted. */
  pinned: boolean;
}

/**
 * Single flight across operations: concurrent calls with the same key share one run of `work`, its
 * value or its failure; once the run settles the next call starts a new one (sharing, not caching).
 *
 * Each caller waits under its own operation: when its scope ends (deadline, client gone, answer
 * sent) it gets its own rejection, `abortError(reason)`, at once, and the others keep waiting. The
 * run is aborted only when every caller has left; it runs in a scope of its own whose signal is
 * that, so its vendor calls stop then and not before. Its budget and fair share are the first
 * caller's operation's.
 */
export function createSharedWork<T>(
  abortError: (reason: unknown) => Error,
): (key: string, work: () => Promise<T>) => Promise<T> {
  const runs = new Map<string, Run<T>>();
  return (key, work) => {
    const signal = currentScope()?.signal;
    if (signal?.aborted) return Promise.reject(abortError(signal.reason));
    let run = runs.get(key);
    if (run === undefined) {
      const controller = new AbortController();
      const started: Run<T> = { controller, promise: Promise.resolve() as never, waiting: 0, pinned: false };
      started.promise = runDetachedUnder(controller.signal, async () => work()).finally(() => {
        if (runs.get(key) === started) runs.delete(key);
      });
      runs.set(key, started);
      run = started;
    }
    const joined = run;
    if (signal === undefined) {
      joined.pinned = true;
      return joined.promise;
    }
    joined.waiting += 1;
    return new Promise<T>((resolve, reject) => {
      const leave = () => {
        reject(abortError(signal.reason));
        joined.waiting -= 1;
        if (joined.waiting > 0 || joined.pinned) return;
        // Nobody waits any more: a later caller must start afresh, not join a run being aborted.
        if (runs.get(key) === joined) runs.delete(key);
        joined.controller.abort(signal.reason);
      };
      signal.addEventListener('abort', leave, { once: true });
      joined.promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', leave));
    });
  };
}
