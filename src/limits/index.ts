import type { Plugin } from 'graphql-yoga';
import type { ConfigFields } from '../config-fields.ts';
import { useBodySizeLimit } from './body-size.ts';
import { useOperationShapeLimits } from './operation.ts';
import { useTokenLimit } from './tokens.ts';

/**
 * Operation limits, each checked before any vendor is called: a request over one is refused with
 * `LIMIT_EXCEEDED` and `extensions.limit` naming it. `server.limits` in the configuration.
 */
export interface OperationLimits {
  /** Field nesting depth (introspection's `__schema`/`__type` subtrees not counted). */
  readonly maxDepth: number;
  /** Aliased fields in the operation (fragments counted each time they are spread). */
  readonly maxAliases: number;
  /** Lexical tokens in the document (the parser stops at the limit). */
  readonly maxTokens: number;
  /** Directive uses in the document. */
  readonly maxDirectives: number;
  /** IDs one request asks for: `nodes(ids:)` items plus each `node`/`ledger`/`account`/`balance(id:)`. */
  readonly maxIds: number;
  /** Largest `first` or `last`. */
  readonly maxPageSize: number;
  /** Bytes of a request body (POST) or of a GET's URL. */
  readonly maxBodyBytes: number;
  /** Estimated objects the operation may resolve (see operation.ts for the model). */
  readonly maxCost: number;
}

export const DEFAULT_LIMITS: OperationLimits = {
  maxDepth: 12,
  maxAliases: 30,
  maxTokens: 5000,
  maxDirectives: 20,
  maxIds: 100,
  maxPageSize: 100,
  maxBodyBytes: 100 * 1024,
  maxCost: 50_000,
};

const RANGES: Readonly<Record<keyof OperationLimits, readonly [number, number]>> = {
  maxDepth: [1, 100],
  maxAliases: [0, 1000],
  maxTokens: [100, 1_000_000],
  maxDirectives: [0, 1000],
  maxIds: [1, 10_000],
  maxPageSize: [1, 100],
  maxBodyBytes: [1024, 64 * 1024 * 1024],
  maxCost: [1, 100_000_000],
};

/** Reads `server.limits`: every field optional, each an integer in its range. */
export function parseLimits(fields: ConfigFields | undefined): OperationLimits {
  const names = Object.keys(RANGES) as Array<keyof OperationLimits>;
  fields?.only(names);
  const limits: Record<string, number> = {};
  for (const name of names) {
    const [min, max] = RANGES[name];
    limits[name] = fields?.optionalInteger(name, min, max) ?? DEFAULT_LIMITS[name];
  }
  return limits as unknown as OperationLimits;
}

/** The plugins that enforce `limits`, in the order a request meets them: body, tokens, then the operation's shape and cost. */
export function useOperationLimits(limits: OperationLimits): Plugin {
  return {
    onPluginInit({ addPlugin }) {
      addPlugin(useBodySizeLimit(limits.maxBodyBytes));
      // Brackets nest a little deeper than fields (arguments, input objects, lists): a generous allowance.
      addPlugin(useTokenLimit(limits.maxTokens, limits.maxDepth * 2 + 16));
      addPlugin(useOperationShapeLimits(limits));
    },
  };
}
