import type { z } from 'zod';
import { integer, strict } from '../config-fields.ts';
import { DEFAULT_MAX_PAGES_PER_WALK } from '../relay/walk-guard.ts';

/**
 * Operation limits, each checked before any vendor is called: a request over one is refused with
 * `LIMIT_EXCEEDED`, `extensions.limit` naming it, and HTTP 400 (413 for the body size) whatever
 * the client accepts. `server.limits` in the configuration; every field optional.
 */
export interface OperationLimits {
  /**
   * Field nesting depth, `{ sources { name } }` being 2, fragments followed; introspection's
   * `__schema`/`__type` subtrees count 0 (the bracket cap, 2 × maxDepth + 16, still bounds them).
   * Default 12: the deepest natural path, `ledgers { edges { node { accounts { edges { node {
   * balances { total { amount } } } } } } } }`, is 9. See shape.ts.
   */
  readonly maxDepth: number;
  /** Aliased fields in the operation, a fragment's counted each time it is spread. Default 30. */
  readonly maxAliases: number;
  /** Lexical tokens in the document; the parser stops at the limit. Default 5,000 (graphql-js's introspection query, as GraphiQL and codegen send it, is under 200). */
  readonly maxTokens: number;
  /** Directive uses anywhere in the document. Default 20. */
  readonly maxDirectives: number;
  /** IDs one request names: `nodes(ids:)` items plus each `node`/`ledger`/`account`/`balance(id:)`, variables applied. Default 100. */
  readonly maxIds: number;
  /** Largest `first` or `last` anywhere. Default 100, the resolvers' own maximum (relay/connection.ts); at most 100. */
  readonly maxPageSize: number;
  /** Bytes of a POST body (declared or chunked) or of a GET's query string; over it, HTTP 413. Default 100 KiB. */
  readonly maxBodyBytes: number;
  /** Estimated objects and vendor reads of the operation (the model is on `estimateCost` in cost.ts). Default 250,000: pricing one account's balances at Midaz as the walk it is raised nested estimates about tenfold; ledgers(first: 20) → accounts(first: 100) → balances (244,150 with Midaz configured) still passes, 100 × 100 does not. */
  readonly maxCost: number;
  /**
   * Vendor pages one walk may read (a Relay page, `last` without `before`, a connector's lookup or
   * history loop): past it the field fails with LIMIT_EXCEEDED (`pagesPerWalk`). Also what cost.ts
   * prices a walk at. Default 100.
   */
  readonly maxPagesPerWalk: number;
  /**
   * Vendor HTTP requests one operation may send, retries included; enforced while it runs (the call
   * that would pass it is not sent and its field fails with LIMIT_EXCEEDED). Default 1,000.
   */
  readonly maxUpstreamCalls: number;
}

export const DEFAULT_LIMITS: OperationLimits = {
  maxDepth: 12,
  maxAliases: 30,
  maxTokens: 5000,
  maxDirectives: 20,
  maxIds: 100,
  maxPageSize: 100,
  maxBodyBytes: 100 * 1024,
  maxCost: 250_000,
  maxPagesPerWalk: DEFAULT_MAX_PAGES_PER_WALK,
  maxUpstreamCalls: 1000,
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
  maxPagesPerWalk: [1, 10_000],
  maxUpstreamCalls: [1, 1_000_000],
};

/** What an editor shows for each limit (the JSDoc above says more). */
const DESCRIPTIONS: Readonly<Record<keyof OperationLimits, string>> = {
  maxDepth: 'Field nesting depth, fragments followed. Default 12.',
  maxAliases: 'Aliased fields in the operation. Default 30.',
  maxTokens: 'Lexical tokens in the document. Default 5000.',
  maxDirectives: 'Directive uses in the document. Default 20.',
  maxIds: 'IDs one request names. Default 100.',
  maxPageSize: 'Largest first or last anywhere. Default 100.',
  maxBodyBytes: 'Bytes of a POST body or a GET query string; over it, HTTP 413. Default 102400.',
  maxCost: 'Estimated objects the operation may read from the sources. Default 250000.',
  maxPagesPerWalk: 'Vendor pages one walk may read. Default 100.',
  maxUpstreamCalls: 'Vendor HTTP requests one operation may send, retries included. Default 1000.',
};

/** `server.limits`: every field optional, each an integer in its range. */
export const limitsSchema = strict(
  Object.fromEntries(
    Object.entries(RANGES).map(([name, [min, max]]) => [
      name,
      integer(min, max)
        .optional()
        .describe(DESCRIPTIONS[name as keyof OperationLimits]),
    ]),
  ) as Record<keyof OperationLimits, z.ZodOptional<ReturnType<typeof integer>>>,
);

/** The limits `server.limits` sets, the defaults for the rest. */
export function readLimits(fields: z.output<typeof limitsSchema> | undefined): OperationLimits {
  const limits = { ...DEFAULT_LIMITS };
  for (const [name, value] of Object.entries(fields ?? {}))
    if (typeof value === 'number') limits[name as keyof OperationLimits] = value;
  return limits;
}
