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
  /**
   * Most vendor HTTP requests (retries included) the operation may send: `server.limits.maxUpstreamCalls`,
   * lowered to the operation's cost estimate of its calls once that is known (operation-budget.ts).
   */
  upstreamLimit: number;
  /** Set when `upstreamLimit` is the cost estimate's, not `maxUpstreamCalls`: what an error names. */
  upstreamLimitFromEstimate?: boolean;
  /** Vendor HTTP requests sent so far. */
  upstreamSent: number;
  /** Set when the operation ran compiled (plugins/compiled-execution.ts) rather than interpreted. */
  compiled?: boolean;
  /** Most vendor pages one walk of the operation reads: `server.limits.maxPagesPerWalk` (providers/walks.ts). */
  readonly maxPagesPerWalk?: number;
  /** When the operation's deadline passes (epoch ms): how long a call may wait for a source's quota (rate-limit.ts). */
  readonly deadlineAt?: number;
  /**
   * Set on the operation of work several operations share (runDetachedUnder): who waits for it
   * now, and so pays its calls (operation-budget.ts); `undefined` stands for a caller outside any
   * operation, which has no budget.
   */
  readonly sharedBy?: () => ReadonlyArray<Operation | undefined>;
}

const storage = new AsyncLocalStorage<RequestScope>();

/** The sources each operation sent a vendor call to, for its access log line (beside, not on, the operation). */
const sourcesCalled = new WeakMap<Operation, Set<string>>();

/** Notes that `operation` sent (and paid for) a call to `source`. */
export function noteSourceCalled(operation: Operation, source: string): void {
  const sources = sourcesCalled.get(operation);
  if (sources === undefined) sourcesCalled.set(operation, new Set([source]));
  else sources.add(source);
}

/** The sources `operation` sent a vendor call to, sorted. */
export function sourcesCalledBy(operation: Operation | undefined): string[] {
  return operation === undefined ? [] : [...(sourcesCalled.get(operation) ?? [])].sort();
}

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
 * Runs `work` detached from the current operation, for work several operations wait for (see
 * providers/shared-work.ts): its signal is `signal` alone, which only its owner aborts, and it is
 * an operation of its own, with its own turn in a source's fair queues and no budget of its own:
 * its calls are paid by `sharedBy`, the operations waiting for it at the time. The request id and
 * caller stay, for logs and vendors.
 */
export function runDetachedUnder<T>(
  signal: AbortSignal,
  sharedBy: () => ReadonlyArray<Operation | undefined>,
  work: () => T,
): T {
  const scope = storage.getStore();
  const operation: Operation = { upstreamLimit: Number.POSITIVE_INFINITY, upstreamSent: 0, sharedBy };
  return storage.run({ requestId: scope?.requestId ?? '', caller: scope?.caller, signal, operation }, work);
}
