import type { Plugin } from 'graphql-yoga';
import { requestIdFor, runInRequestScope } from '../request-scope.ts';

/**
 * Gives every HTTP request an id (the caller's `x-request-id` when it is a sane token, else a
 * UUID), runs the request inside its scope so log lines and vendor calls carry it, and returns
 * it in the `x-request-id` response header.
 */
export function useRequestScope(): Plugin {
  const ids = new WeakMap<Request, string>();
  return {
    instrumentation: {
      request({ request }, wrapped) {
        const requestId = requestIdFor(request.headers.get('x-request-id'));
        ids.set(request, requestId);
        return runInRequestScope({ requestId }, wrapped);
      },
    },
    onResponse({ request, response }) {
      const requestId = ids.get(request);
      if (requestId !== undefined) response.headers.set('x-request-id', requestId);
    },
  };
}
