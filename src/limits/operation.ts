import {
  getArgumentValues,
  getNamedType,
  isCompositeType,
  isListType,
  isNonNullType,
  isObjectType,
  isInterfaceType,
  Kind,
  visit,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LimitExceededError } from '../errors.ts';
import type { OperationLimits } from './index.ts';

/** Page size of a connection field asked without `first` or `last` (the resolvers' default). */
const DEFAULT_PAGE = 20;
/** Items assumed for a list field without paging (an account's balances, a ledger's aggregated balances). */
const UNPAGED_LIST = 10;

/**
 * Checks the operation about to run, with its variables, against the shape and cost limits, and
 * stops it before any resolver (so before any vendor call) when one is broken.
 *
 * The cost model estimates objects resolved: every object a field returns costs 1; a connection
 * field returns `first`/`last` (default 20) items through `nodes`/`edges`, and everything selected
 * under them counts that many times; `nodes(ids:)` counts its IDs; other lists count
 * UNPAGED_LIST items. Scalars cost nothing. A page of 100 accounts with `balances { asset }` costs
 * 100 + 100 × 10 = 1,100; with each balance's `total { amount }` too, 2,100.
 */
export function useOperationShapeLimits(limits: OperationLimits): Plugin {
  return {
    onExecute({ args, setResultAndStopExecution }) {
      try {
        checkDirectives(args.document, limits.maxDirectives);
        const operation = (args.document as DocumentNode).definitions.find(
          (definition): definition is OperationDefinitionNode =>
            definition.kind === Kind.OPERATION_DEFINITION && (args.operationName == null || definition.name?.value === args.operationName),
        );
        if (operation) new OperationWalk(args.schema, args.document, (args.variableValues ?? {}) as Record<string, unknown>, limits).check(operation);
      } catch (error) {
        if (!(error instanceof LimitExceededError)) throw error;
        setResultAndStopExecution({ errors: [error] });
      }
    },
  };
}

function checkDirectives(document: DocumentNode, max: number): void {
  let count = 0;
  visit(document, {
    Directive() {
      count += 1;
    },
  });
  if (count > max) throw new LimitExceededError('directives', `the document uses ${count} directives; the limit is ${max}`);
}

class OperationWalk {
  readonly #schema: GraphQLSchema;
  readonly #fragments = new Map<string, FragmentDefinitionNode>();
  readonly #variables: Record<string, unknown>;
  readonly #limits: OperationLimits;
  #aliases = 0;
  #ids = 0;
  #cost = 0;
  readonly #spreading = new Set<string>();

  constructor(schema: GraphQLSchema, document: DocumentNode, variables: Record<string, unknown>, limits: OperationLimits) {
    this.#schema = schema;
    this.#variables = variables;
    this.#limits = limits;
    for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) this.#fragments.set(definition.name.value, definition);
  }

  check(operation: OperationDefinitionNode): void {
    const root = operation.operation === 'mutation' ? this.#schema.getMutationType() : this.#schema.getQueryType();
    if (!root) return;
    this.#walk(operation.selectionSet, root, 1, 1);
  }

  /** Walks a selection set at nesting `depth`, each object under it resolved `times` times. */
  #walk(selections: SelectionSetNode, type: GraphQLCompositeType, depth: number, times: number): void {
    for (const selection of selections.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const condition = selection.typeCondition ? this.#schema.getType(selection.typeCondition.name.value) : type;
        if (condition && isCompositeType(condition)) this.#walk(selection.selectionSet, condition, depth, times);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = this.#fragments.get(name);
        if (!fragment || this.#spreading.has(name)) continue; // validation reports unknown and cyclic fragments
        const condition = this.#schema.getType(fragment.typeCondition.name.value);
        this.#spreading.add(name);
        if (condition && isCompositeType(condition)) this.#walk(fragment.selectionSet, condition, depth, times);
        this.#spreading.delete(name);
        continue;
      }
      const name = selection.name.value;
      if (name === '__schema' || name === '__type' || name === '__typename') continue;
      if (selection.alias) {
        this.#aliases += 1;
        if (this.#aliases > this.#limits.maxAliases) throw new LimitExceededError('aliases', `the operation has more than ${this.#limits.maxAliases} aliases; the limit is ${this.#limits.maxAliases}`);
      }
      if (depth > this.#limits.maxDepth) throw new LimitExceededError('depth', `the operation nests fields more than ${this.#limits.maxDepth} deep; the limit is ${this.#limits.maxDepth}`);
      const field = isObjectType(type) || isInterfaceType(type) ? type.getFields()[name] : undefined;
      if (!field) continue; // validation reports unknown fields
      const args = this.#arguments(field, selection);
      this.#countIds(args);
      const result = getNamedType(field.type);
      if (!isCompositeType(result) || !selection.selectionSet) continue;
      // A connection's `nodes`/`edges` are the items its field already counted.
      const itemsOfConnection = type.name.endsWith('Connection') && (name === 'nodes' || name === 'edges');
      const items = itemsOfConnection ? 1 : this.#items(field, result.name, args);
      if (!itemsOfConnection) this.#add(times * items);
      if (result.name.endsWith('Connection')) {
        // `nodes` and `edges` repeat per item; `pageInfo` and `totalCount` once.
        for (const inner of selection.selectionSet.selections) {
          const perItem = inner.kind === Kind.FIELD && (inner.name.value === 'nodes' || inner.name.value === 'edges');
          this.#walk({ kind: Kind.SELECTION_SET, selections: [inner] }, result, depth + 1, perItem ? times * items : times);
        }
      } else {
        this.#walk(selection.selectionSet, result, depth + 1, times * items);
      }
    }
  }

  #arguments(field: GraphQLField<unknown, unknown>, node: Parameters<typeof getArgumentValues>[1]): Record<string, unknown> {
    try {
      return getArgumentValues(field, node, this.#variables);
    } catch {
      return {}; // bad variables: execution reports them
    }
  }

  /** How many objects one resolution of `field` yields. */
  #items(field: GraphQLField<unknown, unknown>, typeName: string, args: Record<string, unknown>): number {
    if (typeName.endsWith('Connection')) {
      const size = typeof args.first === 'number' ? args.first : typeof args.last === 'number' ? args.last : DEFAULT_PAGE;
      if (size > this.#limits.maxPageSize) throw new LimitExceededError('pageSize', `${field.name} asks for ${size} items; the limit is ${this.#limits.maxPageSize}`);
      return Math.max(0, size);
    }
    const type = isNonNullType(field.type) ? field.type.ofType : field.type;
    if (!isListType(type)) return 1;
    if (Array.isArray(args.ids)) return args.ids.length;
    return UNPAGED_LIST;
  }

  #countIds(args: Record<string, unknown>): void {
    if (Array.isArray(args.ids)) this.#ids += args.ids.length;
    else if (typeof args.id === 'string') this.#ids += 1;
    if (this.#ids > this.#limits.maxIds) throw new LimitExceededError('ids', `the operation asks for more than ${this.#limits.maxIds} IDs; the limit is ${this.#limits.maxIds}`);
  }

  #add(cost: number): void {
    this.#cost += cost;
    if (this.#cost > this.#limits.maxCost) {
      throw new LimitExceededError('cost', `the operation may resolve more than ${this.#limits.maxCost} objects (estimated so far: ${this.#cost}); ask for smaller pages or fewer fields`);
    }
  }
}
