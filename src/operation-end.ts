import { type GatewayError, OperationAbortedError } from './errors.ts';
import { currentScope, runWithSignal } from './request-scope.ts';

/** Why an operation's (or a narrower scope's) work stopped: the reason of every scope signal's abort. */
export type EndCause = 'deadline' | 'disconnected' | 'answered' | 'abandoned';

export class OperationEnded extends Error {
  override name = 'OperationEnded';
  readonly why: EndCause;
  /** The deadline that passed, for `deadline`. */
  readonly timeoutMs: number | undefined;

  constructor(cause: EndCause, timeoutMs?: number) {
    super(`operation ended: ${cause}`);
    this.why = cause;
    this.timeoutMs = timeoutMs;
  }
}

/**
 * One shared reason per cause without a deadline: only `why` is ever read (operationEndedError), so
 * every operation's end can reuse it instead of building an Error, and its stack, per request.
 */
export const endedBy: Readonly<Record<Exclude<EndCause, 'deadline'>, OperationEnded>> = Object.freeze({
  answered: new OperationEnded('answered'),
  disconnected: new OperationEnded('disconnected'),
  abandoned: new OperationEnded('abandoned'),
});

/**
 * A read of the current operation that may turn out unneeded (a later source of a merged list,
 * read before the earlier ones answered): `abandon` aborts what it still has in flight and lets
 * it start nothing more.
 */
export function abandonable<T>(read: () => Promise<T>): { result: Promise<T>; abandon(): void } {
  const controller = new AbortController();
  return {
    result: runWithSignal(controller.signal, read),
    abandon: () => controller.abort(endedBy.abandoned),
  };
}

/**
 * The error a vendor call of `source` fails with once its scope's signal aborted: OPERATION_TIMEOUT
 * when the operation's deadline passed (a client sees it on the field), else OPERATION_CANCELLED
 * (nobody waits for the answer: the client left, the answer went, or the read was abandoned).
 */
export function operationEndedError(source: string | undefined, reason: unknown): GatewayError {
  const end = reason instanceof OperationEnded ? reason : endedBy.abandoned;
  const what = source === undefined ? 'this field was answered' : `source "${source}" answered`;
  const options = source === undefined ? {} : { source };
  if (end.why === 'deadline')
    return new OperationAbortedError(
      'OPERATION_TIMEOUT',
      `the operation's deadline (${end.timeoutMs} ms) passed before ${what}`,
      options,
    );
  const why = {
    disconnected: 'the client went away',
    answered: 'the answer was already sent',
    abandoned: 'the read was no longer needed',
  }[end.why];
  return new OperationAbortedError('OPERATION_CANCELLED', `${why} before ${what}`, options);
}

/** Fails fast when the current scope has ended: no vendor call starts for work nobody waits for. */
export function throwIfEnded(source: string): void {
  const signal = currentScope()?.signal;
  if (signal?.aborted) throw operationEndedError(source, signal.reason);
}
