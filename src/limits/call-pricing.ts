/**
 * What the configured sources make one vendor read cost, for the cost estimate (cost.ts): facts
 * the document alone cannot tell. The estimate does not know which source a nested field reads, so
 * each figure is the worst over the configured sources.
 */
export interface CallPricing {
  /** Configured sources: `Query.ledgers` reads a page from each, `Query.sources` lists each. */
  readonly sources: number;
  /**
   * Most HTTP requests one vendor read may take: its attempts (`1 + sources[].retries`), and at a
   * Formance stack with OAuth credentials a token request, and after a refused cached token a new
   * one and the read again: `2 × (1 + retries) + 2`.
   */
  readonly requestsPerRead: number;
  /** Whether a connector reads one account's balances as a walk over vendor pages (Midaz). */
  readonly accountBalancesWalk: boolean;
}

/**
 * Pricing when the sources are not known (an estimate outside a gateway): ten sources, the most
 * requests a read may take at the largest `retries` (2) with OAuth, balances walked.
 */
export const UNKNOWN_SOURCES_PRICING: CallPricing = { sources: 10, requestsPerRead: 8, accountBalancesWalk: true };
