import {
  getArgumentValues,
  getNamedType,
  isCompositeType,
  isInterfaceType,
  isObjectType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { DEFAULT_MAX_PAGES_PER_WALK } from '../relay/walk-guard.ts';
import { type CallPricing, UNKNOWN_SOURCES_PRICING } from './call-pricing.ts';
import { idsIn, MERGED_CONNECTIONS, objectsOf, pageItems, READ_CALLS, walks } from './cost-fields.ts';

/** What an operation, with its variables, asks of the sources. */
export interface CostEstimate {
  /** Objects the operation may read from the sources and vendor reads it may make (the model is on `estimateCost`). */
  readonly cost: number;
  /**
   * Most vendor HTTP requests the operation may send, retries and token requests included: `cost`
   * (which is at least its reads) times the requests one read may take (`CallPricing`). The
   * operation's budget of vendor calls is this, or `maxUpstreamCalls` when lower (operation.ts).
   */
  readonly calls: number;
  /** IDs it names: `nodes(ids:)` items plus every `id:` argument, times how often its field runs. */
  readonly ids: number;
  /** The largest `first` or `last` given anywhere, and where. */
  readonly largestPage: PageRequest | undefined;
}

export interface PageRequest {
  /** `Type.field`. */
  readonly field: string;
  readonly argument: 'first' | 'last';
  readonly size: number;
}

/** Cost and IDs of one resolution of a selection set. On a connection type, `perItem` holds what `nodes`/`edges` select, paid once per item of the page. */
interface Tally {
  readonly cost: number;
  readonly ids: number;
}
interface SelectionTally {
  readonly once: Tally;
  readonly perItem: Tally;
}

const ZERO: Tally = { cost: 0, ids: 0 };
const NOTHING: SelectionTally = { once: ZERO, perItem: ZERO };
const plus = (a: Tally, b: Tally): Tally => ({ cost: a.cost + b.cost, ids: a.ids + b.ids });
const times = (a: Tally, factor: number): Tally => ({ cost: a.cost * factor, ids: a.ids * factor });

const isConnection = (type: GraphQLCompositeType) => type.name.endsWith('Connection');

/**
 * Estimates, from the document and the coerced variables alone, what an operation will ask of
 * the sources. The model counts objects resolved and vendor pages read, so that it is an upper
 * bound on the vendor calls the operation makes (`test/cost-bound.test.ts` checks it against the
 * simulators):
 *
 * - a field returning an object costs 1 each time it resolves; scalars, enums and introspection
 *   cost 0, except a connection's `totalCount` (1: a count read);
 * - a connection field costs its page size (`first` or `last`, else 20) plus READ_CALLS, and what
 *   is selected under its `nodes` or `edges` counts once per item of the page (`pageInfo` once);
 *   `Account.history` pages over its window's points, so its page is at most the number of
 *   intervals from `from` to `to` (≤ 1,000; 0 for a window the resolver refuses);
 * - a connection read that walks the vendor's pages costs `maxPagesPerWalk` more, the most pages a
 *   walk may read before it fails with LIMIT_EXCEEDED: `last` without `before` (the end of a list
 *   whose length is unknown is found by walking to it), and `Ledger.balances` with an asset filter
 *   (vendors without one are filtered page by page);
 * - a list field without paging costs its assumed length (UNPAGED_LIST_ITEMS, 10), and what is
 *   selected under it counts that many times; `nodes(ids:)` counts its IDs; `Query.sources` counts
 *   the configured sources, and `Query.ledgers` reads a page from each;
 * - `Account.balances` also costs its read (1: a batched read never takes more than one call per
 *   account) and, where a connector walks one account's balances (`CallPricing`), a walk of
 *   `maxPagesPerWalk` pages and the account read that follows a walk that found none.
 *
 * Objects stand in for the reads an honest vendor's pages may add beyond one and its look-ahead
 * (a page of n items takes at most n vendor pages that hold one each) and for reads made once per
 * object (a Ledger Enterprise currency's scale). `calls` multiplies the cost by the requests one
 * read may take (retries, tokens). A vendor that sends emptier pages than that is stopped by the
 * runtime: the operation's budget of calls is `calls` (operation-budget.ts).
 *
 * `{ ledgers(first: 100) { nodes { accounts(first: 100) { nodes { balances { asset } } } } } }`
 * costs 102 × 10 + 100 × (102 + 100 × 11) = 121,220 over sources none of which walks an account's
 * balances. Each fragment is tallied once and reused at every spread, so the estimate takes time
 * linear in the document.
 */
export function estimateCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown>,
  maxPagesPerWalk = DEFAULT_MAX_PAGES_PER_WALK,
  pricing: CallPricing = UNKNOWN_SOURCES_PRICING,
): CostEstimate {
  const walk = new CostWalk(schema, document, variables, maxPagesPerWalk, pricing);
  const root =
    operation.operation === 'mutation'
      ? schema.getMutationType()
      : operation.operation === 'query'
        ? schema.getQueryType()
        : schema.getSubscriptionType();
  const tally = root ? walk.selections(operation.selectionSet, root).once : ZERO;
  return {
    cost: tally.cost,
    calls: tally.cost * pricing.requestsPerRead,
    ids: tally.ids,
    largestPage: walk.largestPage,
  };
}

class CostWalk {
  readonly #schema: GraphQLSchema;
  readonly #variables: Record<string, unknown>;
  readonly #fragments = new Map<string, FragmentDefinitionNode>();
  readonly #tallied = new Map<string, SelectionTally>();
  readonly #spreading = new Set<string>();
  readonly #walkPages: number;
  readonly #pricing: CallPricing;
  largestPage: PageRequest | undefined;

  constructor(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Record<string, unknown>,
    walkPages: number,
    pricing: CallPricing,
  ) {
    this.#schema = schema;
    this.#variables = variables;
    this.#walkPages = walkPages;
    this.#pricing = pricing;
    for (const definition of document.definitions)
      if (definition.kind === Kind.FRAGMENT_DEFINITION) this.#fragments.set(definition.name.value, definition);
  }

  selections(set: SelectionSetNode, type: GraphQLCompositeType): SelectionTally {
    let once = ZERO;
    let perItem = ZERO;
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const tally = this.#field(selection, type);
        // A connection's `nodes` and `edges` repeat per item of its page.
        if (isConnection(type) && (selection.name.value === 'nodes' || selection.name.value === 'edges'))
          perItem = plus(perItem, tally);
        else once = plus(once, tally);
        continue;
      }
      const inner =
        selection.kind === Kind.FRAGMENT_SPREAD
          ? this.#fragment(selection.name.value)
          : selection.typeCondition
            ? this.#within(selection.typeCondition.name.value, selection.selectionSet)
            : this.selections(selection.selectionSet, type);
      once = plus(once, inner.once);
      perItem = plus(perItem, inner.perItem);
    }
    return { once, perItem };
  }

  /** A fragment's selections, on the type its condition names. */
  #within(condition: string, set: SelectionSetNode): SelectionTally {
    const type = this.#schema.getType(condition);
    return type && isCompositeType(type) ? this.selections(set, type) : NOTHING;
  }

  #fragment(name: string): SelectionTally {
    const known = this.#tallied.get(name);
    if (known) return known;
    const definition = this.#fragments.get(name);
    if (!definition || this.#spreading.has(name)) return NOTHING; // validation refuses unknown and cyclic fragments
    this.#spreading.add(name);
    const tally = this.#within(definition.typeCondition.name.value, definition.selectionSet);
    this.#spreading.delete(name);
    this.#tallied.set(name, tally);
    return tally;
  }

  /** One resolution of `node` on `parent`, with everything under it. */
  #field(node: FieldNode, parent: GraphQLCompositeType): Tally {
    const name = node.name.value;
    const field = isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
    if (!field || name.startsWith('__')) return ZERO; // unknown (validation refuses it) or introspection
    if (isConnection(parent) && name === 'totalCount') return { cost: 1, ids: 0 }; // a count read
    const args = this.#arguments(field, node);
    const coordinate = `${parent.name}.${name}`;
    this.#notePage(coordinate, args);
    const own: Tally = { cost: 0, ids: idsIn(field, args) };
    const result = getNamedType(field.type);
    if (!isCompositeType(result) || !node.selectionSet) return own;
    const children = this.selections(node.selectionSet, result);
    if (isConnection(result)) {
      const items = pageItems(coordinate, args);
      const calls = READ_CALLS + (walks(coordinate, args) ? this.#walkPages : 0);
      const reads = (items + calls) * (MERGED_CONNECTIONS.has(coordinate) ? this.#pricing.sources : 1);
      return plus(plus({ cost: own.cost + reads, ids: own.ids }, children.once), times(children.perItem, items));
    }
    // An edge's node and a connection's nodes/edges are the page's items, already paid for.
    const wrapsItem =
      (isConnection(parent) && (name === 'nodes' || name === 'edges')) ||
      (parent.name.endsWith('Edge') && name === 'node');
    const count = wrapsItem
      ? 1
      : coordinate === 'Query.sources'
        ? this.#pricing.sources
        : objectsOf(field, coordinate, args);
    const reads = coordinate === 'Account.balances' ? this.#accountBalanceReads() : 0;
    return plus({ cost: own.cost + (wrapsItem ? 0 : count) + reads, ids: own.ids }, times(children.once, count));
  }

  /** Vendor reads of one account's balances: one batched read, or a walk and the account read after it. */
  #accountBalanceReads(): number {
    return this.#pricing.accountBalancesWalk ? this.#walkPages + 1 : 1;
  }

  #arguments(field: GraphQLField<unknown, unknown>, node: FieldNode): Record<string, unknown> {
    try {
      return getArgumentValues(field, node, this.#variables);
    } catch {
      return {}; // a bad argument: execution refuses it before any resolver runs
    }
  }

  #notePage(coordinate: string, args: Record<string, unknown>): void {
    for (const argument of ['first', 'last'] as const) {
      const size = args[argument];
      if (typeof size === 'number' && size > (this.largestPage?.size ?? -Infinity))
        this.largestPage = { field: coordinate, argument, size };
    }
  }
}
