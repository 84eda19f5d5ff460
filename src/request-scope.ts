import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The request a piece of work belongs to, carried through async calls (DataLoader batches and
 * connector calls included) so HTTP clients can pass the request id to vendors that log one, log
 * lines can name it, and every vendor call knows the operation it works for (its deadline, its
 * share of a source's capacity, its budget of calls), without threading any of it through every
 * connector signature. This file is the store and its scopes; an operation's end and its errors
 * are operation-end.ts, its budget of vendor calls operation-budget.ts.
 */
export interface RequestScope {
  readonly requestId: string;
  /** Who is calling (an API key's name, `jwt:<sub>`), once authenticated. */
  caller?: string;
  /**
   * Aborts when nobody waits for this work any more: the operation's deadline passed, its client
   * went away, its answer was sent, or (in a narrower scope) the read was abandoned. The reason is
   * always an `OperationEnded` (operation-end.ts). Absent outside an operation (start-up, tests of one connector).
   */
  readonly signal?: AbortSignal;
  /** The operation the work is done for; shared by every narrower scope of the same operation. */
  readonly operation?: Operation;
}

/** What one GraphQL operation may still spend; one object per operation, its identity for fair queues too. */
export interface Operation {
  /** Most vendor HTTP requests (retries included) the operation may send: `server.limits.maxUpstreamCalls`. */
  upstreamLimit: number;
  /** Vendor HTTP requests sent so far. */
  upstreamSent: number;
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
  const scope = storage.getStore();
  const parent = scope?.signal;
  const both = parent === undefined ? signal : AbortSignal.any([parent, signal]);
  return storage.run({ requestId: scope?.requestId ?? '', ...scope, signal: both }, work);
}

/**
 * Runs `work` in a scope of the current operation whose signal is `signal` alone, not the
 * operation's: work several operations wait for, which only `signal` may stop (see shared-work.ts).
 * The operation still owns it for its budget and fair share.
 */
export function runDetachedUnder<T>(signal: AbortSignal, work: () => T): T {
  const scope = storage.getStore();
  return storage.run({ requestId: scope?.requestId ?? '', ...scope, signal }, work);
}
