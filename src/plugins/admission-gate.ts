/** How a request's wait for a slot ended. */
export type AdmissionOutcome = 'admitted' | 'queue-full' | 'queue-timeout' | 'client-gone';

export interface AdmissionLimits {
  /** Requests in progress at once. */
  readonly maxConcurrent: number;
  /**
   * Requests in progress at once while shedding: from a refusal until the queue is empty and
   * `queueTimeoutMs` has passed without another. At most `maxConcurrent`.
   */
  readonly sheddingConcurrent: number;
  /** Requests waiting for a slot beyond those; one more is refused at once. */
  readonly maxQueued: number;
  /** Longest wait for a slot; a request still waiting then is refused. */
  readonly queueTimeoutMs: number;
}

interface Waiter {
  /** Ends the wait; once it has, `LEFT`, so the waiter reaches nothing of its request (see `#waiting`). */
  settle: (outcome: AdmissionOutcome) => void;
}

const LEFT = (): void => {};

/**
 * A counting semaphore with a bounded FIFO queue and a bounded wait: the whole of admission
 * control, with no HTTP in it. A slot freed by `release` passes straight to the oldest waiter, so
 * a burst of newcomers cannot overtake the queue. Every waiter leaves the queue exactly once: when
 * it gets a slot, when its wait runs out, or when its client leaves (its signal aborts).
 *
 * Ours rather than p-queue or p-limit, which run a function per slot: their queues have no bound
 * and no wait deadline; p-queue's abort signal, the only way to add either, leaves an aborted
 * entry in the queue until its turn and, once its task runs, frees the slot while the task's work
 * goes on. Here a slot spans several yoga hooks and the write of the answer, and a waiter whose
 * client left makes room at once.
 *
 * The slots narrow while the gate sheds load. Below overload every client is inside the gateway
 * whatever the slot count (Little's law: nobody is turned away, so the queue only moves the wait),
 * and more slots let more requests join one vendor call and overlap their vendor waits instead of
 * waiting a round for a slot. Once requests are refused, those inside are the slots plus a full
 * queue, and fewer slots mean less work interleaved on the event loop, so each admitted request
 * and `/health` answer sooner (measured: bench/PASSES.md, "Fifteenth pass"). So from the first
 * refusal the gate admits only up to `sheddingConcurrent`, letting in-flight requests above it
 * finish without handing their slots on, and goes back to `maxConcurrent` once the queue is empty
 * and `queueTimeoutMs` (the Retry-After the refused were given) has passed without a refusal.
 * Waiters exist only while every slot of the current limit is taken, and the limit widens only with
 * no waiter, so a newcomer never finds a free slot ahead of the queue.
 */
export class AdmissionGate {
  readonly limits: AdmissionLimits;
  #inFlight = 0;
  /**
   * Insertion-ordered: the first entry is the oldest waiter; deletion is O(1). A long-lived Set
   * keeps reaching the entries it deleted in V8's young collections, until the next full one (most
   * likely through the hash tables it leaves behind as it rehashes: `node bench/young-gc.ts
   * set-keyed`), so a waiter that left drops its `settle`, and with it the request that waited.
   */
  readonly #waiting = new Set<Waiter>();
  /** While the slots are narrowed to `sheddingConcurrent`: until when at least (`performance.now()`). */
  #shedUntil: number | undefined;

  constructor(limits: AdmissionLimits) {
    this.limits = limits;
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  get queued(): number {
    return this.#waiting.size;
  }

  /** The slots in force: `sheddingConcurrent` while shedding, else `maxConcurrent`. */
  get slots(): number {
    if (this.#shedUntil === undefined) return this.limits.maxConcurrent;
    if (this.#waiting.size === 0 && performance.now() >= this.#shedUntil) {
      this.#shedUntil = undefined;
      return this.limits.maxConcurrent;
    }
    return this.limits.sheddingConcurrent;
  }

  /** A request was refused: narrow the slots, for `queueTimeoutMs` from now at least. */
  #refused(): void {
    this.#shedUntil = performance.now() + this.limits.queueTimeoutMs;
  }

  /**
   * Takes a slot at once when one is free (synchronously, so an idle gateway adds no wait), else
   * waits in the queue. `clientLeft` is called only when no slot is free: the signal that aborts
   * when the request's client goes, so a request admitted at once makes no AbortController. On
   * 'admitted' the caller owes exactly one `release()`.
   */
  enter(clientLeft?: () => AbortSignal): AdmissionOutcome | Promise<AdmissionOutcome> {
    if (this.#inFlight < this.slots) {
      this.#inFlight += 1;
      return 'admitted';
    }
    const signal = clientLeft?.();
    if (signal?.aborted) return 'client-gone';
    if (this.#waiting.size >= this.limits.maxQueued) {
      this.#refused();
      return 'queue-full';
    }
    return new Promise<AdmissionOutcome>((resolve) => {
      const onAbort = () => waiter.settle('client-gone');
      const timer = setTimeout(() => waiter.settle('queue-timeout'), this.limits.queueTimeoutMs);
      const waiter: Waiter = {
        settle: (outcome) => {
          if (!this.#waiting.delete(waiter)) return;
          waiter.settle = LEFT;
          clearTimeout(timer);
          signal?.removeEventListener('abort', onAbort);
          if (outcome === 'queue-timeout') this.#refused();
          resolve(outcome);
        },
      };
      this.#waiting.add(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /**
   * Frees a slot taken by `enter`: the oldest waiter gets it, or it becomes free (so it does while
   * more are in flight than the narrowed slots allow).
   */
  release(): void {
    const next = this.#waiting.values().next();
    if (next.done || this.#inFlight > this.slots) this.#inFlight -= 1;
    else next.value.settle('admitted');
  }
}
