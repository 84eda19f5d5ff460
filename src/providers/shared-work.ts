import { OperationEnded } from '../operation-end.ts';
import { currentScope, type Operation, runDetachedUnder } from '../request-scope.ts';

interface Run<T> {
  readonly controller: AbortController;
  /** The run's answer while it may be joined; NO_ANSWER before its work starts and once it settled. */
  promise: Promise<T>;
  /** The operations of the callers still waiting for the run (undefined: a caller outside any), who pay its calls. */
  readonly waiting: Array<Operation | undefined>;
}

/**
 * How long a caller outside any operation (start-up, a connector used on its own) waits for a
 * shared run: as long as an operation may by default (`server.requestTimeoutMs`). Every wait has
 * a deadline, and a run nobody waits for any more is aborted: so such a caller pins a run the
 * operations have left for this long at most.
 */
export const OUTSIDE_OPERATION_WAIT_MS = 15_000;

export interface SharedWorkOptions {
  /** The wait of a caller outside any operation; default OUTSIDE_OPERATION_WAIT_MS. */
  readonly outsideOperationWaitMs?: number;
}

let callersWaiting = 0;

/**
 * A run's `promise` before its work starts and once it settled: a settled run, which has left
 * `runs` and is never awaited again, lets go of its answer. Something still reaches settled runs
 * in V8's young-generation collections (the `runs` Map's old slots, most likely) until the next
 * full one: holding the answer there, every vendor answer read once was promoted to the old
 * generation (unshared list of 50: 8.0 MB promoted per scavenge, 4.2 MB without; bench/PASSES.md, "Eighth pass").
 */
const NO_ANSWER = Promise.resolve() as Promise<never>;

/** Callers waiting for a shared run now, over the process: how a test sees that a caller joined. */
export function callersWaitingOnSharedWork(): number {
  return callersWaiting;
}

/**
 * Single flight across operations: concurrent calls with the same key share one run of `work`, its
 * value or its failure; once the run settles the next call starts a new one (sharing, not caching).
 *
 * Each caller waits under its own operation: when its scope ends (deadline, client gone, answer
 * sent) it gets its own rejection, `abortError(reason)`, at once, and the others keep waiting. The
 * run is aborted only when every caller has left. It runs in a scope of its own (runDetachedUnder):
 * its own signal (that abort) and its own turn in the source's fair queues, so no caller's queue
 * holds it back for the others; each of its vendor calls is paid by the callers waiting then that
 * still have budget (operation-budget.ts), so no caller's spent budget fails it for the others.
 */
export function createSharedWork<T>(
  abortError: (reason: unknown) => Error,
  { outsideOperationWaitMs = OUTSIDE_OPERATION_WAIT_MS }: SharedWorkOptions = {},
): (key: string, work: () => Promise<T>) => Promise<T> {
  const runs = new Map<string, Run<T>>();
  return (key, work) => {
    const scope = currentScope();
    const own = scope?.signal;
    if (own?.aborted) return Promise.reject(abortError(own.reason));
    // Its operation, or none outside one (a caller without a signal is outside any operation).
    const payer = own === undefined ? undefined : scope?.operation;
    const limit = own === undefined ? outsideOperationLimit(outsideOperationWaitMs) : undefined;
    const signal = own ?? (limit as AbortController).signal;
    const found = runs.get(key);
    const joined: Run<T> = found ?? {
      controller: new AbortController(),
      promise: NO_ANSWER,
      waiting: [],
    };
    // The caller waits before the run starts: its first call already knows whom it works for.
    joined.waiting.push(payer);
    callersWaiting += 1;
    if (found === undefined) {
      runs.set(key, joined);
      const payers = () => joined.waiting;
      joined.promise = runDetachedUnder(joined.controller.signal, payers, async () => work()).finally(() => {
        if (runs.get(key) === joined) runs.delete(key);
        // Every caller has its answer on its way: those that joined wait on the promise this makes.
        joined.promise = NO_ANSWER;
      });
    }
    return new Promise<T>((resolve, reject) => {
      let left = false;
      const settle = () => {
        if (left) return;
        left = true;
        callersWaiting -= 1;
        joined.waiting.splice(joined.waiting.indexOf(payer), 1);
        signal.removeEventListener('abort', leave);
        if (limit !== undefined) clearTimeout(limit.timer);
      };
      const leave = () => {
        settle();
        reject(abortError(signal.reason));
        if (joined.waiting.length > 0) return;
        // Nobody waits any more: a later caller must start afresh, not join a run being aborted.
        if (runs.get(key) === joined) runs.delete(key);
        joined.controller.abort(signal.reason);
      };
      signal.addEventListener('abort', leave, { once: true });
      joined.promise.then(
        (value) => {
          settle();
          resolve(value);
        },
        (error: unknown) => {
          settle();
          reject(error);
        },
      );
    });
  };
}

/** A deadline for a caller outside any operation, as its operation's would be. */
function outsideOperationLimit(waitMs: number): AbortController & { timer: NodeJS.Timeout } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new OperationEnded('deadline', waitMs)), waitMs);
  return Object.assign(controller, { timer });
}
