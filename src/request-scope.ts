import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import { LimitExceededError, OperationAbortedError, type GatewayError } from './errors.ts';

/**
 * The request a piece of work belongs to, carried through async calls (DataLoader batches and
 * connector calls included) so HTTP clients can pass the request id to vendors that log one, log
 * lines can name it, and every vendor call knows the operation it works for (its deadline, its
 * share of a source's capacity, its budget of calls), without threading any of it through every
 * connector signature.
 */
export interface RequestScope {
  readonly requestId: string;
  /** Who is calling (an API key's name, `jwt:<sub>`), once authenticated. */
  caller?: string;
  /**
   * Aborts when nobody waits for this work any more: the operation's deadline passed, its client
   * went away, its answer was sent, or (in a narrower scope) the read was abandoned. The reason is
   * always an `OperationEnded`. Absent outside an operation (start-up, tests of one connector).
   */
  readonly signal?: AbortSignal;
  /** The operation the work is done for; shared by every narrower scope of the same operation. */
  readonly operation?: Operation;
}

/** What one GraphQL operation may still spend; one object per operation, its identity for fair queues too. */
export interface Operation {
  /**
   * Most vendor HTTP requests (retries included) the operation may send: `server.limits.maxUpstreamCalls`
   * when it starts; whatever runs in the operation may lower it (from its cost estimate, say).
   */
  upstreamLimit: number;
  /** Vendor HTTP requests sent so far. */
  upstreamSent: number;
}

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

const storage = new AsyncLocalStorage<RequestScope>();

export function runInRequestScope<T>(scope: RequestScope, work: () => T): T {
  return storage.run(scope, work);
}

/** The id of the request being served, or undefined outside one. */
export function currentRequestId(): string | undefined {
  return storage.getStore()?.requestId;
}

/** The scope of the request being served, for log lines. */
export function currentScope(): Readonly<RequestScope> | undefined {
  return storage.getStore();
}

/** Records who the request being served comes from. */
export function setCaller(caller: string): void {
  const scope = storage.getStore();
  if (scope) scope.caller = caller;
}

/**
 * Runs `work` in a narrower scope of the current operation whose signal also aborts with `signal`
 * (same request id, caller, operation and budget): a read that may be abandoned.
 */
export function runWithSignal<T>(signal: AbortSignal, work: () => T): T {
  const parent = storage.getStore()?.signal;
  return runUnderSignal(parent === undefined ? signal : AbortSignal.any([parent, signal]), work);
}

/**
 * Runs `work` in a scope of the current operation whose signal is `signal` alone, not the
 * operation's: work several operations wait for, which only `signal` may stop (see shared-work.ts).
 * The operation still owns it for its budget and fair share.
 */
export function runUnderSignal<T>(signal: AbortSignal, work: () => T): T {
  const scope = storage.getStore();
  return storage.run({ requestId: scope?.requestId ?? '', ...scope, signal }, work);
}

/**
 * A read of the current operation that may turn out unneeded (a later source of a merged list,
 * read before the earlier ones answered): `abandon` aborts what it still has in flight and lets
 * it start nothing more.
 */
export function abandonable<T>(read: () => Promise<T>): { result: Promise<T>; abandon(): void } {
  const controller = new AbortController();
  return {
    result: runWithSignal(controller.signal, read),
    abandon: () => controller.abort(new OperationEnded('abandoned')),
  };
}

/**
 * The error a vendor call of `source` fails with once its scope's signal aborted: OPERATION_TIMEOUT
 * when the operation's deadline passed (a client sees it on the field), else OPERATION_CANCELLED
 * (nobody waits for the answer: the client left, the answer went, or the read was abandoned).
 */
export function operationEndedError(source: string | undefined, reason: unknown): GatewayError {
  const ended = reason instanceof OperationEnded ? reason : new OperationEnded('abandoned');
  const what = source === undefined ? 'this field was answered' : `source "${source}" answered`;
  const options = source === undefined ? {} : { source };
  if (ended.why === 'deadline')
    return new OperationAbortedError(
      'OPERATION_TIMEOUT',
      `the operation's deadline (${ended.timeoutMs} ms) passed before ${what}`,
      options,
    );
  const why = {
    disconnected: 'the client went away',
    answered: 'the answer was already sent',
    abandoned: 'the read was no longer needed',
  }[ended.why];
  return new OperationAbortedError('OPERATION_CANCELLED', `${why} before ${what}`, options);
}

/** Fails fast when the current scope has ended: no vendor call starts for work nobody waits for. */
export function throwIfEnded(source: string): void {
  const signal = storage.getStore()?.signal;
  if (signal?.aborted) throw operationEndedError(source, signal.reason);
}

/**
 * Counts one vendor HTTP request of `source` against the current operation's budget, or throws
 * LIMIT_EXCEEDED (`extensions.limit: "upstreamCalls"`) without counting when the budget is spent:
 * the request must then not be sent. Outside an operation nothing is counted.
 */
export function chargeUpstreamCall(source: string): void {
  const operation = storage.getStore()?.operation;
  if (operation === undefined) return;
  if (operation.upstreamSent >= operation.upstreamLimit)
    throw new LimitExceededError(
      'upstreamCalls',
      `the operation used its ${operation.upstreamLimit} vendor calls (server.limits.maxUpstreamCalls); a call to source "${source}" was not sent`,
      null,
      undefined,
      { source },
    );
  operation.upstreamSent += 1;
}

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** A caller's `x-request-id` when it is a sane token (kept for correlation), else a fresh UUID. */
export function requestIdFor(header: string | null): string {
  return header !== null && CLIENT_REQUEST_ID.test(header) ? header : randomUUID();
}
