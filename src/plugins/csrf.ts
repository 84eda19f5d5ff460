import type { Plugin } from 'graphql-yoga';
import { GatewayError } from '../errors.ts';

/** Content types a browser sends cross-site without a CORS preflight. */
const SIMPLE_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/** Headers a browser never sends cross-site without a preflight; any one of them proves the request is not a forged simple one. */
export const CSRF_HEADERS = ['x-graphql-yoga-csrf', 'x-api-key', 'authorization', 'apollo-require-preflight'] as const;

/**
 * CSRF prevention: a request a browser could send from another site without a CORS preflight
 * (a GET, or a POST with a form or text body) must carry one of CSRF_HEADERS, which only a
 * preflighted (CORS-checked) request can. JSON POSTs are preflighted already.
 */
export function useCsrfPrevention(): Plugin {
  return {
    onRequestParse({ request }) {
      const type = request.headers.get('content-type')?.toLowerCase();
      const preflighted = type !== undefined && !SIMPLE_CONTENT_TYPES.some((simple) => type.startsWith(simple));
      if (preflighted || CSRF_HEADERS.some((header) => request.headers.has(header))) return;
      throw new GatewayError('CSRF_PREVENTED', `a GET or form request must carry one of the headers ${CSRF_HEADERS.join(', ')} (or POST a JSON body)`, {
        extensions: { http: { status: 403 } },
      });
    },
  };
}
