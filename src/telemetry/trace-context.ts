import { AsyncLocalStorage } from 'node:async_hooks';
import { type Context, ROOT_CONTEXT } from '@opentelemetry/api';

/*
 * The OpenTelemetry context of the work being done (the operation's span, then a vendor call's),
 * carried through async calls by a store of the gateway's own: the gateway never installs a global
 * context manager, so an application that embeds it keeps its own OpenTelemetry set-up.
 */
const storage = new AsyncLocalStorage<Context>();

/** The context of the current operation or vendor call; the root context outside any. */
export function activeTraceContext(): Context {
  return storage.getStore() ?? ROOT_CONTEXT;
}

export function runInTraceContext<T>(context: Context, work: () => T): T {
  return storage.run(context, work);
}
