import type { CursorCodec } from './cursor.ts';
import { RelayInputError } from './errors.ts';
import type { Sequence } from './sequence.ts';
import type { Position } from './sequence-types.ts';

/** The Relay connection arguments (Relay Cursor Connections spec, "Arguments"). */
export interface ConnectionArguments {
  readonly first?: number | null;
  readonly after?: string | null;
  readonly last?: number | null;
  readonly before?: string | null;
}

export interface PageInfo {
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly startCursor: string | null;
  readonly endCursor: string | null;
}

export interface Connection<T> {
  readonly edges: ReadonlyArray<{ readonly cursor: string; readonly node: T }>;
  readonly pageInfo: PageInfo;
  /** Asked only when a client selects `totalCount`. */
  readonly totalCount: () => Promise<number | null>;
}

export interface ConnectionOptions {
  readonly codec: CursorCodec;
  /** Names this connection: field, parent and filter arguments. Cursors are bound to it. */
  readonly key: string;
  readonly defaultSize?: number;
  readonly maxSize?: number;
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

function checkSize(name: string, value: number, max: number): number {
  if (!Number.isInteger(value) || value < 0) throw new RelayInputError(`"${name}" must be a non-negative integer`);
  if (value > max) throw new RelayInputError(`"${name}" must be at most ${max}`);
  return value;
}

/**
 * Reads one Relay page from a sequence. `first`/`after` read forwards, `last`/`before` backwards;
 * with neither size, `first` defaults to 20. Mixing directions (`first` with `last` or `before`,
 * `last` with `after`, `after` with `before`) is refused rather than guessed at.
 *
 * pageInfo is exact and costs no extra call: the sequence reads one item beyond the page (or uses
 * the vendor's own next/previous marker) in the direction of travel, and the opposite flag is true
 * exactly when a cursor was given, since the item it points at lies on that side.
 */
export async function connectionFromSequence<T>(
  sequence: Sequence<T>,
  args: ConnectionArguments,
  options: ConnectionOptions,
): Promise<Connection<T>> {
  const max = options.maxSize ?? MAX_PAGE_SIZE;
  const { first, after, last, before } = args;
  const has = (value: unknown) => value !== undefined && value !== null;
  if (has(first) && has(last)) throw new RelayInputError('pass "first" or "last", not both');
  if (has(first) && has(before)) throw new RelayInputError('"before" goes with "last"; use "after" with "first"');
  if (has(last) && has(after)) throw new RelayInputError('"after" goes with "first"; use "before" with "last"');
  // Without a size the checks above let both cursors through; reading from one would drop the other.
  if (has(after) && has(before)) throw new RelayInputError('pass "after" or "before", not both');

  const backward = has(last) || has(before);
  const size = backward
    ? checkSize('last', last ?? options.defaultSize ?? DEFAULT_PAGE_SIZE, max)
    : checkSize('first', first ?? options.defaultSize ?? DEFAULT_PAGE_SIZE, max);
  const cursor = backward ? before : after;
  const position = has(cursor) ? options.codec.decode(options.key, cursor as string) : null;

  const slice = backward ? await sequence.before(position, size) : await sequence.after(position, size);
  // Cursors are sealed only when read: most queries select nodes, not every edge's cursor.
  const edges = slice.edges.map((edge) => new LazyEdge(edge.node, edge.position, options));
  return {
    edges,
    pageInfo: new EdgesPageInfo(
      edges,
      backward ? position !== null : slice.more,
      backward ? slice.more : position !== null,
    ),
    totalCount: () => sequence.totalCount(),
  };
}

/**
 * A page's pageInfo, its cursors read from its edges only when asked. A class, never an object
 * literal with `get` accessors: V8 gives each such literal a hidden class of its own, hidden
 * classes live in the old generation, and through them every page's getters, edges and balances
 * survived each young collection until the next full one (bench/PASSES.md, "Twelfth pass";
 * `node bench/young-gc.ts literal-getter`).
 */
class EdgesPageInfo implements PageInfo {
  readonly hasNextPage: boolean;
  readonly hasPreviousPage: boolean;
  readonly #edges: ReadonlyArray<{ readonly cursor: string }>;
  constructor(edges: ReadonlyArray<{ readonly cursor: string }>, hasNextPage: boolean, hasPreviousPage: boolean) {
    this.#edges = edges;
    this.hasNextPage = hasNextPage;
    this.hasPreviousPage = hasPreviousPage;
  }
  get startCursor(): string | null {
    return this.#edges[0]?.cursor ?? null;
  }
  get endCursor(): string | null {
    return this.#edges.at(-1)?.cursor ?? null;
  }
}

/**
 * An edge whose cursor is sealed on first read, then kept. A class, not a closure per edge: a page
 * of 50 edges is 50 small objects, most of them never asked for a cursor.
 */
class LazyEdge<T> {
  readonly node: T;
  readonly #position: Position;
  readonly #options: ConnectionOptions;
  #cursor: string | undefined;
  constructor(node: T, position: Position, options: ConnectionOptions) {
    this.node = node;
    this.#position = position;
    this.#options = options;
  }
  get cursor(): string {
    this.#cursor ??= this.#options.codec.encode(this.#options.key, this.#position);
    return this.#cursor;
  }
}
