import type { Plugin } from 'graphql-yoga';
import { useBodySizeLimit } from './body-size.ts';
import type { CallPricing } from './call-pricing.ts';
import { useOperationChecks } from './operation.ts';
import type { OperationLimits } from './operation-limits.ts';
import { useLimitStatus } from './status.ts';
import { useTokenLimit } from './tokens.ts';

// The settings live in their own module so that the checks can read their type without a cycle;
// config.ts reads them through this folder's public surface.
export { DEFAULT_LIMITS, limitsSchema, type OperationLimits, readLimits } from './operation-limits.ts';
export type { CallPricing } from './call-pricing.ts';

/**
 * The plugins that enforce `limits`, in the order a request meets them: body size (before the body
 * is parsed), bracket nesting and tokens (in the parser), then, after validation and before
 * execution, the operation's shape (directives, depth, aliases) and demand (page size, IDs, cost),
 * which also sets its budget of vendor calls. `pricing`: the configured sources' facts the cost
 * estimate needs (providers/call-pricing.ts); without it, the estimate assumes the worst.
 */
export function useOperationLimits(limits: OperationLimits, pricing?: CallPricing): Plugin {
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(useBodySizeLimit(limits.maxBodyBytes));
      // Brackets nest a little deeper than fields (arguments, input objects, lists, introspection's
      // type references): a generous allowance.
      addPlugin(useTokenLimit(limits.maxTokens, limits.maxDepth * 2 + 16));
      addPlugin(useOperationChecks(limits, pricing));
      addPlugin(useLimitStatus());
    },
  };
}
