import { LimitExceededError } from './errors.ts';
import { currentScope, noteSourceCalled, type Operation } from './request-scope.ts';

/**
 * Counts one vendor HTTP request of `source` against the current operation's budget, or throws
 * LIMIT_EXCEEDED (`extensions.limit: "upstreamCalls"`) without counting when the budget is spent:
 * the request must then not be sent. Outside an operation nothing is counted.
 *
 * A call of shared work (`Operation.sharedBy`) is paid by every operation waiting for it that still
 * has budget, and refused only when none has: one caller's spent budget never fails the others.
 * A caller outside any operation among them makes the call free.
 */
export function chargeUpstreamCall(source: string): void {
  const operation = currentScope()?.operation;
  if (operation === undefined || pay(operation, source)) return;
  const payers = budgetsOf(operation);
  const only = payers.length === 1 ? payers[0] : undefined;
  const spent =
    only === undefined
      ? `the ${payers.length} operations waiting for it used their vendor calls (their cost estimates or server.limits.maxUpstreamCalls)`
      : only.upstreamLimitFromEstimate
        ? `the operation used the ${only.upstreamLimit} vendor calls its cost estimate allows`
        : `the operation used its ${only.upstreamLimit} vendor calls (server.limits.maxUpstreamCalls)`;
  throw new LimitExceededError(
    'upstreamCalls',
    `${spent}; a call to source "${source}" was not sent`,
    null,
    undefined,
    { source },
  );
}

/**
 * Lowers the current operation's budget of vendor calls to `estimate`, the most its cost estimate
 * says it can send (limits/cost.ts `calls`), when that is below `server.limits.maxUpstreamCalls`:
 * the estimate is then an upper bound the runtime holds, whatever a vendor's pages do. Called once,
 * before any resolver runs.
 */
export function limitUpstreamCalls(estimate: number): void {
  const operation = currentScope()?.operation;
  if (operation === undefined || operation.sharedBy !== undefined || estimate >= operation.upstreamLimit) return;
  operation.upstreamLimit = estimate;
  operation.upstreamLimitFromEstimate = true;
}

/**
 * Charges one call to `operation`, or to those sharing it that can pay, and notes `source` among
 * the sources each payer called; false when nobody could pay.
 */
function pay(operation: Operation | undefined, source: string): boolean {
  if (operation === undefined) return true;
  if (operation.sharedBy === undefined) {
    if (operation.upstreamSent >= operation.upstreamLimit) return false;
    operation.upstreamSent += 1;
    noteSourceCalled(operation, source);
    return true;
  }
  let paid = false;
  for (const payer of operation.sharedBy()) paid = pay(payer, source) || paid;
  if (paid) operation.upstreamSent += 1;
  return paid;
}

/** The operations whose budgets `operation`'s calls come out of (itself, or those sharing it). */
function budgetsOf(operation: Operation | undefined): Operation[] {
  if (operation === undefined) return [];
  return operation.sharedBy === undefined ? [operation] : operation.sharedBy().flatMap(budgetsOf);
}
