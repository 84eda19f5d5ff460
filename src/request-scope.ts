import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';

/**
 * The request a piece of work belongs to, carried through async calls (DataLoader batches and
 * connector calls included) so HTTP clients can pass the request id to vendors that log one and
 * log lines can name it, without threading it through every connector signature.
 */
export interface RequestScope {
  readonly requestId: string;
  /** Who is calling (an API key's name, `jwt:<sub>`), once authenticated. */
  caller?: string;
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

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** A caller's `x-request-id` when it is a sane token (kept for correlation), else a fresh UUID. */
export function requestIdFor(header: string | null): string {
  return header !== null && CLIENT_REQUEST_ID.test(header) ? header : randomUUID();
}
