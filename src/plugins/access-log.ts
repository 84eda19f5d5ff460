import { getOperationAST } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { Logger } from '../logger.ts';
import { currentScope, sourcesCalledBy } from '../request-scope.ts';

/** Paths whose access lines are debug, not info: probes polled every few seconds would drown the rest. */
const PROBE_PATHS = new Set(['/health', '/ready']);

/** A GraphQL name (spec §2.1.9), at most 128 characters. */
const NAME = /^[_A-Za-z][_0-9A-Za-z]{0,127}$/;

/** What one request did, gathered as it runs. */
interface Access {
  readonly startedAt: number;
  operationName?: string;
  operationType?: string;
  readonly codes: Set<string>;
  hasData: boolean;
}

/**
 * One `access` line per HTTP request, when its answer is made: method, path, request id and
 * caller (from the request scope, as on every line), the GraphQL operation's name and type,
 * the HTTP status, the duration in ms from arrival (admission queueing included), the sources the
 * operation called and how many vendor calls it made (retries included), the outcome and the
 * distinct error codes of the answer, and for an operation that ran, whether it ran `compiled` or
 * `interpreted` (plugins/compiled-execution.ts). Info level; debug for `/health` and `/ready`. The operation
 * name is the caller's text: fine in a log line (bounded by the request size limits), never a
 * metric label.
 *
 * Must come right after the request scope in the plugin list: its clock starts when the request
 * arrives, inside the request's scope, before admission may queue or refuse it.
 */
export function useAccessLog(logger: Logger): Plugin {
  const accesses = new WeakMap<Request, Access>();
  return {
    // The request's instrumentation wraps every onRequest hook, yoga's own /health included.
    instrumentation: {
      request({ request }, wrapped) {
        accesses.set(request, { startedAt: performance.now(), codes: new Set(), hasData: false });
        return wrapped();
      },
    },
    onParams({ request, params }) {
      const access = accesses.get(request);
      // Before parsing, the name is whatever the caller sent: kept only when it is a GraphQL name.
      if (access !== undefined && typeof params.operationName === 'string' && NAME.test(params.operationName))
        access.operationName = params.operationName;
    },
    onExecute({ args }) {
      const request = (args.contextValue as { request?: Request }).request;
      const access = request === undefined ? undefined : accesses.get(request);
      if (access === undefined) return;
      const operation = getOperationAST(args.document, args.operationName);
      access.operationType = operation?.operation;
      // The document's own name, held to the same bound as one sent beside it: a name may be as long as the body allows.
      const named = operation?.name?.value;
      if (named !== undefined && NAME.test(named)) access.operationName = named;
    },
    onResultProcess({ request, result }) {
      const access = accesses.get(request);
      if (access === undefined) return;
      for (const item of Array.isArray(result) ? result : [result]) {
        if (typeof item !== 'object' || item === null || Symbol.asyncIterator in item) continue;
        if (item.data !== undefined && item.data !== null) access.hasData = true;
        for (const error of item.errors ?? []) {
          const code = error.extensions?.code;
          if (typeof code === 'string') access.codes.add(code);
        }
      }
    },
    onResponse({ request, response }) {
      const access = accesses.get(request);
      if (access === undefined) return;
      accesses.delete(request);
      const path = new URL(request.url, 'http://gateway').pathname;
      const operation = currentScope()?.operation;
      const errors = [...access.codes].sort();
      const line = {
        method: request.method,
        path,
        operationName: access.operationName,
        operationType: access.operationType,
        status: response.status,
        durationMs: Math.round((performance.now() - access.startedAt) * 10) / 10,
        sources: sourcesCalledBy(operation),
        vendorCalls: operation?.upstreamSent ?? 0,
        ...(access.operationType === undefined
          ? {}
          : { execution: operation?.compiled === true ? 'compiled' : 'interpreted' }),
        outcome: outcomeOf(response.status, errors.length > 0, access.hasData),
        ...(errors.length > 0 ? { errors } : {}),
      };
      if (PROBE_PATHS.has(path)) logger.debug('access', line);
      else logger.info('access', line);
    },
  };
}

/** `ok`: answered without errors; `partial`: data and errors (a sick source); `error`: no data, or an HTTP error status. */
function outcomeOf(status: number, hasErrors: boolean, hasData: boolean): 'ok' | 'partial' | 'error' {
  if (status >= 400 || (hasErrors && !hasData)) return 'error';
  return hasErrors ? 'partial' : 'ok';
}
