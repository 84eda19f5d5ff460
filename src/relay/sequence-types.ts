import type { WalkBounds } from './walk-guard.ts';

/**
 * What a connector hands the relay (`VendorList`: how its vendor pages one list) and what the relay
 * reads a Relay page from (`Sequence`). Types only: each kind of sequence has its own file, and
 * sequence.ts is the entry that picks one.
 */

/** One vendor page reached through an opaque vendor cursor. */
export interface CursorPage<T> {
  readonly items: readonly T[];
  /** The vendor cursor of the following page; null on the last page. */
  readonly next: string | null;
  /** The vendor cursor of the preceding page; null on the first page. */
  readonly previous: string | null;
  /**
   * The key of each record the vendor sent for this page, when the connector dropped or expanded
   * some (a filter applied page by page): the walk guard judges the page by them, so a page
   * filtered down to nothing is not an empty page, and one the vendor repeats is still a repeat.
   * Default: the list's `identify` of each item.
   */
  readonly recordKeys?: readonly string[];
}

/**
 * What every vendor list tells the relay so that no read of it can run without end: the bounds of
 * a walk over its pages (walk-guard.ts), and what names an item, so a page that repeats is seen.
 */
interface WalkedList<T> {
  /**
   * Connectors always set it, so that a stop names their source. A list without (a generated one,
   * whose reads never walk) gets `DEFAULT_MAX_PAGES_PER_WALK` and stops as a bare `WalkStop`.
   */
  readonly walk?: WalkBounds;
  /** A key per item, the same wherever the item turns up in the list (its vendor id). */
  readonly identify?: (item: T) => string;
}

/** A list the vendor pages through opaque cursors. */
export interface CursorList<T> extends WalkedList<T> {
  readonly paging: 'cursor';
  /** Reads the page a vendor cursor points at; `null` reads the first page. */
  fetchPage(token: string | null): Promise<CursorPage<T>>;
  totalCount?(): Promise<number | null>;
}

/** A list the vendor pages by limit and offset. */
export interface OffsetList<T> extends WalkedList<T> {
  readonly paging: 'offset';
  /** Reads up to `limit` items from `offset` on, in list order; fewer than `limit` means the list ends. */
  fetchRange(offset: number, limit: number): Promise<readonly T[]>;
  /** Most items one vendor call returns. */
  readonly maxLimit: number;
  /** The list's length when known without reading (a generated list): reads never go past it. */
  readonly length?: number;
  /** The vendor's count of the list; when there is one, `last` without `before` reads the end directly, no walk. */
  totalCount?(): Promise<number | null>;
}

/** How a vendor pages one list. */
export type VendorList<T> = CursorList<T> | OffsetList<T>;

/** A place in a sequence: a small JSON value the cursor codec seals into a Relay cursor. */
export type Position = unknown;

export interface SequenceEdge<T> {
  readonly node: T;
  readonly position: Position;
}

export interface Slice<T> {
  /** In list order, whichever direction was read. */
  readonly edges: readonly SequenceEdge<T>[];
  /** Items exist beyond the slice in the direction of travel. */
  readonly more: boolean;
}

export interface Sequence<T> {
  /** Up to `count` items after `position` (from the start when null). */
  after(position: Position | null, count: number): Promise<Slice<T>>;
  /** Up to `count` items before `position` (from the end when null). */
  before(position: Position | null, count: number): Promise<Slice<T>>;
  /** Whether `totalCount` can ever answer (false: it is null without asking anyone). */
  readonly countable: boolean;
  totalCount(): Promise<number | null>;
}
