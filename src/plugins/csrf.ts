import type { Plugin } from 'graphql-yoga';
import { GatewayError } from '../errors.ts';

/** Content types a browser sends cross-site without a CORS preflight. */
const SIMPLE_CONTENT_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data', 'text/plain'];

/** Headers a browser never sends cross-site without a preflight; any one of them proves the request is not a forged simple one. */
export const CSRF_HEADERS = ['x-graphql-yoga-csrf', 'x-api-key', 'authorization', 'apollo-require-preflight'] as const;

/**
 * Whether the request carries one of CSRF_HEADERS in a form a browser cannot add by itself.
 * `authorization` counts only as a bearer token: a browser attaches `Basic` credentials cached
 * for a site (a proxy's login) to cross-site form posts without any preflight.
 */
function preflightOnly(headers: Headers): boolean {
  return (
    CSRF_HEADERS.some((header) => header !== 'authorization' && headers.has(header)) ||
    /^bearer /i.test(headers.get('authorization')?.trim() ?? '')
  );
}

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
      if (preflighted || preflightOnly(request.headers)) return;
      throw new GatewayError(
        'CSRF_PREVENTED',
        `a GET or form request must carry one of the headers ${CSRF_HEADERS.join(', ')} (a bearer token), or POST a JSON body`,
        {
          extensions: { http: { status: 403 } },
        },
      );
    },
  };
}
