/** A page's item keys, in order, and the set of them (fewer than the keys when one repeats). */
export interface PageIdentities {
  readonly keys: readonly string[];
  readonly set: ReadonlySet<string>;
}

/**
 * Where a shared page keeps its item keys: a hidden own property of the array, made before the
 * array is frozen, so the keys live exactly as long as the page. Not a module-wide `WeakMap` keyed
 * by pages: V8's young-generation GC keeps such a map's values until a full GC, long after their
 * page has died (bench/PASSES.md, "Eleventh pass": on the unshared list, read through the Blnk connector
 * alone, 0.97 MB promoted per young GC with the map, 0.27 with this property).
 */
const KEYS = Symbol('page identities');
type Memo = Map<(item: never) => string, PageIdentities>;
type WithMemo = { readonly [KEYS]?: Memo };

/**
 * Freezes a vendor reading shared between requests (HttpClient.read, replyReading, mapRecordOnce):
 * an array first gets room for its item keys, so every request that reads it works them out once.
 */
export function freezeShared<T>(value: T): Readonly<T> {
  if (Array.isArray(value) && Object.isExtensible(value)) Object.defineProperty(value, KEYS, { value: new Map() });
  return Object.freeze(value);
}

/**
 * The keys of `items` under `identify`, for the walk guard and the connectors' check for an item
 * listed twice alike. A page frozen by `freezeShared` cannot change, so its keys are worked out
 * once per `identify`; any other array, each time.
 */
export function identitiesOf<T>(items: readonly T[], identify: (item: T) => string): PageIdentities {
  const memo = (items as WithMemo)[KEYS];
  const found = memo?.get(identify);
  if (found !== undefined) return found;
  const keys = items.map(identify);
  const identities: PageIdentities = { keys, set: new Set(keys) };
  memo?.set(identify, identities);
  return identities;
}
