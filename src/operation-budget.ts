import { LimitExceededError } from './errors.ts';
import { currentScope } from './request-scope.ts';

/**
 * Counts one vendor HTTP request of `source` against the current operation's budget, or throws
 * LIMIT_EXCEEDED (`extensions.limit: "maxUpstreamCalls"`) without counting when the budget is spent:
 * the request must then not be sent. Outside an operation nothing is counted.
 */
export function chargeUpstreamCall(source: string): void {
  const operation = currentScope()?.operation;
  if (operation === undefined) return;
  if (operation.upstreamSent >= operation.upstreamLimit)
    throw new LimitExceededError(
      'maxUpstreamCalls',
      `the operation used its ${operation.upstreamLimit} vendor calls (server.limits.maxUpstreamCalls); a call to source "${source}" was not sent`,
      null,
      undefined,
      { source },
    );
  operation.upstreamSent += 1;
}
