import { operationEndedError } from '../../operation-end.ts';
import { currentScope, type Operation } from '../../request-scope.ts';
import { SourceError } from '../../errors.ts';
import type { HeldPermit, SendCall } from './types.ts';

interface Waiter {
  readonly grant: (release: () => void) => void;
}

/** The owner of calls made outside any operation (start-up, tests of one client): one queue for all of them. */
const NO_OPERATION = {};

/**
 * A source's capacity, the calls it may have in flight at once, as permits granted fairly between
 * operations. Each operation (any object naming it) waits in its own FIFO queue; a permit that
 * frees goes to the operations with waiters in turn, round robin, so an operation that queued a
 * hundred calls delays another's next call by at most one call per other operation waiting (and
 * the calls in flight), never by its hundred. A released permit passes straight to the next waiter: the cap holds exactly.
 * A wait ends early, with the signal's reason, when `signal` aborts.
 */
export class FairPermits {
  readonly capacity: number;
  #free: number;
  /** Queues of the operations with waiters; Map order is the turn order. */
  readonly #queues = new Map<object, Waiter[]>();
  /** The operation given the last permit: one arriving since goes before its next call. */
  #lastServed: object | undefined;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be a positive integer');
    this.capacity = capacity;
    this.#free = capacity;
  }

  /** Permits held now. */
  get inUse(): number {
    return this.capacity - this.#free;
  }

  /** Resolves with the function that gives the permit back (once; later calls do nothing). */
  acquire(owner: object, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    if (this.#free > 0 && this.#queues.size === 0) {
      this.#free -= 1;
      this.#lastServed = owner;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        const queue = this.#queues.get(owner);
        const at = queue?.indexOf(waiter) ?? -1;
        if (queue && at >= 0) {
          queue.splice(at, 1);
          if (queue.length === 0) this.#queues.delete(owner);
        }
        reject(signal?.reason);
      };
      const waiter: Waiter = {
        grant: (release) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(release);
        },
      };
      const queue = this.#queues.get(owner);
      if (queue) queue.push(waiter);
      else this.#queues.set(owner, [waiter]);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#handOn();
    };
  }

  /**
   * A permit came back: to the operation whose turn it is, which then goes to the back of the line.
   * The one served last is skipped while another waits: an operation alone in the line for a while
   * is at its front, and one that just arrived must not wait behind its next call too.
   */
  #handOn(): void {
    const turns = this.#queues.entries();
    let next = turns.next();
    if (next.done) {
      this.#free += 1;
      return;
    }
    if (next.value[0] === this.#lastServed) {
      const other = turns.next();
      if (!other.done) next = other;
    }
    const [owner, queue] = next.value;
    const waiter = queue.shift() as Waiter;
    this.#queues.delete(owner);
    if (queue.length > 0) this.#queues.set(owner, queue);
    this.#lastServed = owner;
    waiter.grant(this.#releaser());
  }
}

/**
 * Holds one of the source's permits for each call, from before its first attempt until its last
 * answer is read, on behalf of the call's operation (the request scope's), except while the call
 * only waits between attempts (`HeldPermit.lendDuring`): the permit goes to the next in line then
 * and is asked for again, in the operation's turn. It sits outside the circuit breaker, so a call
 * the breaker admits (a half-open probe above all) goes out at once instead of queueing.
 *
 * The waits count against the operation's deadline, not the call's (whose clock starts inside,
 * when the call goes out); a wait cut by the operation's end fails with that end's error, never a
 * vendor failure. Outside an operation a wait is bounded by `waitLimitMs` (the call deadline).
 */
export function withFairPermits(source: string, permits: FairPermits, send: SendCall, waitLimitMs: number): SendCall {
  return async (request, target) => {
    const scope = currentScope();
    const take = async (): Promise<() => void> => {
      const owner = lineOf(scope?.operation);
      if (scope?.signal !== undefined)
        return permits.acquire(owner, scope.signal).catch((reason: unknown) => {
          throw operationEndedError(source, reason);
        });
      const limit = new AbortController();
      const timer = setTimeout(() => limit.abort(), waitLimitMs);
      try {
        return await permits.acquire(owner, limit.signal);
      } catch {
        throw new SourceError('SOURCE_TIMEOUT', `source "${source}" had no free connection within ${waitLimitMs} ms`, {
          source,
          retryable: false,
        });
      } finally {
        clearTimeout(timer);
      }
    };
    let release = await take();
    const permit: HeldPermit = {
      async lendDuring(wait) {
        release();
        try {
          return await wait();
        } finally {
          release = await take();
        }
      },
    };
    try {
      return await send(request, target, permit);
    } finally {
      release();
    }
  };
}

/**
 * The line a call waits in: its operation's. A call of shared work (a GET several operations
 * joined) waits in the line of the first operation waiting for it, so an operation's own calls
 * share one line however many of them are shared runs (a line per run would give an operation
 * with a hundred calls a hundred turns); the run's own when only callers outside any operation wait.
 */
function lineOf(operation: Operation | undefined): object {
  if (operation === undefined) return NO_OPERATION;
  if (operation.sharedBy === undefined) return operation;
  for (const waiting of operation.sharedBy()) {
    const line = lineOf(waiting);
    if (line !== NO_OPERATION) return line;
  }
  return operation;
}
