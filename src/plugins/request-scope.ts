import type { Plugin } from 'graphql-yoga';
import { randomUUID } from 'node:crypto';
import { endedBy, OperationEnded } from '../operation-end.ts';
import { type RequestScope, runInRequestScope } from '../request-scope.ts';

export interface RequestScopeOptions {
  /** `server.requestTimeoutMs`: the deadline of the whole request, from its arrival. */
  readonly requestTimeoutMs: number;
  /** `server.limits.maxUpstreamCalls`: vendor HTTP requests one operation may send, retries included. */
  readonly maxUpstreamCalls: number;
  /** `server.limits.maxPagesPerWalk`: vendor pages one walk may read. */
  readonly maxPagesPerWalk: number;
}

/**
 * Gives every HTTP request an id (the caller's `x-request-id` when it is a sane token, else a
 * UUID), runs the request inside its scope so log lines and vendor calls carry it, and returns
 * it in the `x-request-id` response header.
 *
 * The scope also holds the operation's end: one signal that aborts when the deadline
 * (`requestTimeoutMs`) passes, when the client goes away (yoga's `request.signal`, which the Node
 * adapter aborts when the socket closes before the answer was written), or once the answer is
 * made, whichever comes first. Every vendor call of the operation listens to it (the HTTP clients
 * read the scope), so nothing the operation started outlives it. And it holds the budget of
 * vendor calls.
 */
export function useRequestScope(options: RequestScopeOptions): Plugin {
  const ids = new WeakMap<Request, string>();
  return {
    instrumentation: {
      async request({ request }, wrapped) {
        const requestId = requestIdFor(request.headers.get('x-request-id'));
        ids.set(request, requestId);
        const ended = new AbortController();
        const end = (reason: OperationEnded) => {
          if (!ended.signal.aborted) ended.abort(reason);
        };
        const deadline = setTimeout(
          () => end(new OperationEnded('deadline', options.requestTimeoutMs)),
          options.requestTimeoutMs,
        );
        const disconnected = () => end(endedBy.disconnected);
        if (request.signal.aborted) disconnected();
        else request.signal.addEventListener('abort', disconnected, { once: true });
        try {
          await runInRequestScope(operationScope(requestId, ended.signal, options), wrapped);
        } finally {
          clearTimeout(deadline);
          request.signal.removeEventListener('abort', disconnected);
          // Whatever the answer did not wait for (a merged list's read ahead) stops now.
          end(endedBy.answered);
        }
      },
    },
    onResponse({ request, response }) {
      const requestId = ids.get(request);
      if (requestId !== undefined) response.headers.set('x-request-id', requestId);
    },
  };
}

/**
 * The scope an operation runs in, from its start: its id, the signal of its end, its budget of
 * vendor calls and pages, and its deadline.
 */
export function operationScope(requestId: string, signal: AbortSignal, options: RequestScopeOptions): RequestScope {
  return {
    requestId,
    signal,
    operation: {
      upstreamLimit: options.maxUpstreamCalls,
      upstreamSent: 0,
      maxPagesPerWalk: options.maxPagesPerWalk,
      deadlineAt: Date.now() + options.requestTimeoutMs,
    },
  };
}

const CLIENT_REQUEST_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/** A caller's `x-request-id` when it is a sane token (kept for correlation), else a fresh UUID. */
export function requestIdFor(header: string | null): string {
  return header !== null && CLIENT_REQUEST_ID.test(header) ? header : randomUUID();
}
