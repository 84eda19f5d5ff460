import { BALANCE_ROUTES } from './balance-routes.ts';
import { ENTITY_ROUTES } from './entity-routes.ts';
import type { RouteContext } from './route-context.ts';
import { validationError, type Reply } from './wire.ts';

/**
 * The read endpoints of the Midaz v3.8.0 ledger service (components/ledger/internal/adapters/http/in/
 * routes.go and the handlers, use cases and repositories behind them). Path segments are matched
 * as received: Fiber does not decode them.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** pkg/constant `UUIDPathParameters`: these path parameters must parse as UUIDs, or the answer is 400 0065. */
const UUID_PARAMETERS = new Set(['id', 'organization_id', 'ledger_id', 'account_id', 'balance_id']);

/** In routes.go registration order (entities, then balances): the first template that matches the path answers. */
const ROUTES = [...ENTITY_ROUTES, ...BALANCE_ROUTES];

function match(template: string, path: string): Record<string, string> | null {
  const want = template.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let index = 0; index < want.length; index += 1) {
    const part = want[index] as string;
    const value = got[index] as string;
    if (part.startsWith(':')) {
      if (value === '') return null;
      params[part.slice(1)] = value;
    } else if (part !== value) return null;
  }
  return params;
}

export function route(context: RouteContext, method: string, path: string, query: URLSearchParams): Reply {
  const trimmed = path.length > 1 ? path.replace(/\/+$/, '') : path; // Fiber's StrictRouting is off
  for (const [template, handler] of ROUTES) {
    const params = match(template, trimmed);
    if (!params) continue;
    if (method !== 'GET') return { status: 405, text: 'Method Not Allowed' }; // Fiber: the path exists for another method (only reads are simulated)
    for (const [name, value] of Object.entries(params)) {
      if (UUID_PARAMETERS.has(name) && !UUID.test(value)) {
        return validationError(
          '0065',
          'Invalid Path Parameter',
          `One or more path parameters are in an incorrect format. Please check the following parameters ${name} and ensure they meet the required format before trying again.`,
        );
      }
    }
    return handler(
      context,
      Object.fromEntries(
        Object.entries(params).map(([name, value]) => [name, UUID_PARAMETERS.has(name) ? value.toLowerCase() : value]),
      ),
      query,
    );
  }
  return { status: 404, text: `Cannot ${method} ${path}` };
}
