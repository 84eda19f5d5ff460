import {
  getOperationAST,
  getVariableValues,
  type DocumentNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LimitExceededError, type LimitName } from '../errors.ts';
import { limitUpstreamCalls } from '../operation-budget.ts';
import type { CallPricing } from './call-pricing.ts';
import { estimateCost } from './cost.ts';
import { countDirectives } from './directives.ts';
import type { OperationLimits } from './operation-limits.ts';
import { measureShape } from './shape.ts';

interface Refusal {
  readonly limit: LimitName;
  readonly message: string;
}

/** A refusal, the operation's estimate of its vendor calls, or null when execution will refuse its variables. */
type Demand = Refusal | number | null;

/**
 * Checks the operation about to run against the shape limits (directives, depth, aliases) and,
 * with its variables, the demand limits (page size, IDs, cost), and stops it before any resolver,
 * so before any vendor call, when one is broken. Runs after validation: the document is known good.
 * An operation that passes gets its budget of vendor calls from its estimate (`calls`, priced with
 * `pricing`, the configured sources' facts), when that is below `maxUpstreamCalls`.
 */
export function useOperationChecks(limits: OperationLimits, pricing?: CallPricing): Plugin {
  // Yoga's parse cache hands back the same document for the same text, so what does not depend on
  // variables is worked out once per operation of a document. A fresh error is made per request.
  const shapes = new WeakMap<OperationDefinitionNode, Refusal | null>();
  const shapeRefusal = (document: DocumentNode, operation: OperationDefinitionNode): Refusal | null => {
    let refusal = shapes.get(operation);
    if (refusal === undefined) {
      refusal = checkShape(document, operation, limits);
      shapes.set(operation, refusal);
    }
    return refusal;
  };
  // The demand depends on the variables too: the last variables' text of each operation and its
  // verdict, so a client that repeats a request (a dashboard polling) walks the document once. A
  // different text is worked out afresh and replaces it; the schema and pricing never change here.
  const demands = new WeakMap<OperationDefinitionNode, { readonly variables: string; readonly demand: Demand }>();
  const demandOf = (
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    raw: unknown,
  ) => {
    const variables = textOf(raw);
    const known = demands.get(operation);
    if (known !== undefined && known.variables === variables) return known.demand;
    const demand = checkDemand(schema, document, operation, raw, limits, pricing);
    if (variables !== undefined) demands.set(operation, { variables, demand });
    return demand;
  };
  return {
    onExecute({ args, setResultAndStopExecution }) {
      const document = args.document as DocumentNode;
      const operation = getOperationAST(document, args.operationName ?? undefined);
      if (!operation) return; // a missing or ambiguous operation: execution reports it
      const demand =
        shapeRefusal(document, operation) ?? demandOf(args.schema, document, operation, args.variableValues);
      if (typeof demand === 'number') limitUpstreamCalls(demand);
      else if (demand) setResultAndStopExecution({ errors: [new LimitExceededError(demand.limit, demand.message)] });
    },
  };
}

function checkShape(
  document: DocumentNode,
  operation: OperationDefinitionNode,
  limits: OperationLimits,
): Refusal | null {
  const directives = countDirectives(document);
  if (directives > limits.maxDirectives)
    return {
      limit: 'directives',
      message: `the document uses ${directives} directives; the limit is ${limits.maxDirectives}`,
    };
  const { depth, aliases } = measureShape(document, operation);
  if (depth > limits.maxDepth)
    return { limit: 'depth', message: `the operation nests fields ${depth} deep; the limit is ${limits.maxDepth}` };
  if (aliases > limits.maxAliases)
    return {
      limit: 'aliases',
      message: `the operation has ${count(aliases)} aliases; the limit is ${limits.maxAliases}`,
    };
  return null;
}

/** The refusal, or the operation's estimate of its vendor calls; null when execution will refuse its variables. */
function checkDemand(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  raw: unknown,
  limits: OperationLimits,
  pricing: CallPricing | undefined,
): Demand {
  // The variables as resolvers will see them (defaults applied, a single ID as a list of one).
  const coerced = getVariableValues(
    schema,
    operation.variableDefinitions ?? [],
    (raw ?? {}) as Record<string, unknown>,
    { maxErrors: 1 },
  );
  if (coerced.errors) return null; // execution refuses bad variables before any resolver runs
  const { cost, calls, ids, largestPage } = estimateCost(
    schema,
    document,
    operation,
    coerced.coerced,
    limits.maxPagesPerWalk,
    pricing,
  );
  if (largestPage && largestPage.size > limits.maxPageSize) {
    return {
      limit: 'pageSize',
      message: `${largestPage.field} asks for a page of ${largestPage.size} ("${largestPage.argument}"); the limit is ${limits.maxPageSize}`,
    };
  }
  if (ids > limits.maxIds)
    return { limit: 'ids', message: `the operation asks for ${count(ids)} IDs; the limit is ${limits.maxIds}` };
  if (cost > limits.maxCost) {
    return {
      limit: 'cost',
      message: `the operation's estimated cost is ${count(cost)}; the limit is ${limits.maxCost} (cost counts the objects it may read from the sources and the pages it may read: page sizes multiply what is nested under a connection, and \`last\` without \`before\` counts a walk of maxPagesPerWalk pages; ask for smaller pages, fewer nested fields, or \`first\`)`,
    };
  }
  return calls;
}

/** A count for a message: fragments spread within fragments can multiply past what a double holds exactly. */
function count(value: number): string {
  return Number.isSafeInteger(value) ? String(value) : `more than ${Number.MAX_SAFE_INTEGER}`;
}

/** The variables' text, or undefined when it has none to give (nested past JSON.stringify's stack): then nothing is kept. */
function textOf(raw: unknown): string | undefined {
  if (raw === undefined || raw === null) return '';
  try {
    return JSON.stringify(raw);
  } catch {
    return undefined;
  }
}
