import { formanceRequestsPerRead, formanceUsesOAuth } from './formance/facts.ts';
import type { ProviderKind } from './index.ts';
import { MIDAZ_ACCOUNT_BALANCES_WALK } from './midaz/facts.ts';

/** A configured source, as far as pricing its reads goes. */
export interface PricedSource {
  readonly kind: ProviderKind;
  /** What the kind's `options` read from the configuration. */
  readonly options: unknown;
  readonly transport: { readonly retries: number };
}

/**
 * What one vendor read may cost at the configured sources, the worst over them (the shape of
 * limits/call-pricing.ts `CallPricing`, which the cost estimate reads): each read is tried
 * `1 + retries` times, a Formance stack with OAuth credentials may add token requests and a second
 * read (formance/facts.ts), and Midaz walks each account's balances (midaz/facts.ts).
 */
export function callPricingOf(sources: readonly PricedSource[]): {
  sources: number;
  requestsPerRead: number;
  accountBalancesWalk: boolean;
} {
  let requestsPerRead = 1;
  let accountBalancesWalk = false;
  for (const source of sources) {
    const { retries } = source.transport;
    const perRead =
      source.kind === 'formance' ? formanceRequestsPerRead(retries, formanceUsesOAuth(source.options)) : 1 + retries;
    requestsPerRead = Math.max(requestsPerRead, perRead);
    if (source.kind === 'midaz') accountBalancesWalk = MIDAZ_ACCOUNT_BALANCES_WALK;
  }
  return { sources: sources.length, requestsPerRead, accountBalancesWalk };
}
