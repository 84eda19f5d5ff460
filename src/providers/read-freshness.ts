import type { HttpResponse } from './http/types.ts';

/** When a vendor answer was received (epoch ms), and whether it is served past its freshness because the vendor failed. */
export interface Freshness {
  readonly observedAt: number;
  readonly stale: boolean;
}

/**
 * Freshness travels beside a response and inside what was read from it. The response, its parsed
 * body and its mapped models are shared (in-flight sharing, the read cache, read-once), so a mark is
 * set once, when the body is parsed or a model built, and never changed; it is the response's own,
 * true for every reader. A stale answer is a copy of the cached response, so it is parsed and
 * mapped again and its objects carry `stale: true` while the original's do not.
 *
 * On a model or body record it is a private field stamped onto the object (FreshnessStamp), not an
 * entry of a WeakMap: a WeakMap held an entry for every object of every body read, hundreds of
 * thousands under load, and V8 walks such a table in every full GC's pause (184 ms of them at 50
 * connections: issue 14's tail).
 */
const ofResponse = new WeakMap<HttpResponse, Freshness>();

/** A class whose constructor hands back the object it is given, so a subclass's private fields land on that object. */
class OnTarget {
  constructor(target: object) {
    // biome-ignore lint/correctness/noConstructorReturn: the return override is the point (FreshnessStamp)
    return target;
  }
}

/**
 * The freshness of an object as a private field of it, added by `new FreshnessStamp(object, …)`
 * through the base class's return override. No key at all, not even a symbol: `Object.keys`,
 * spread, `JSON.stringify`, `for…in` and test equality do not see it, and a spread copy starts
 * without it. Adding one is a plain property store (V8 keeps private fields as properties
 * under a private symbol), where `Object.defineProperty` of a symbol-keyed property was a runtime
 * call: about 200 ns a model, a fifth of mapping a Blnk balance.
 */
class FreshnessStamp extends OnTarget {
  readonly #freshness: Freshness;
  constructor(target: object, freshness: Freshness) {
    super(target);
    this.#freshness = freshness;
  }
  static of(value: object): Freshness | undefined {
    return #freshness in value ? (value as FreshnessStamp).#freshness : undefined;
  }
}

/** Gives `value` its freshness unless it has one, or is frozen (a model shared as it is). */
function mark(value: object, freshness: Freshness): boolean {
  if (FreshnessStamp.of(value) !== undefined || !Object.isExtensible(value)) return false;
  new FreshnessStamp(value, freshness);
  return true;
}

/** Notes when `response` arrived, unless it already has a freshness (a cached or joined response keeps its first). */
export function stampReceived(response: HttpResponse, observedAt = Date.now()): HttpResponse {
  if (!ofResponse.has(response)) ofResponse.set(response, { observedAt, stale: false });
  return response;
}

/** A copy of a cached response served because the vendor failed: its own freshness, marked stale. */
export function staleCopy(response: HttpResponse): HttpResponse {
  const copy = { ...response };
  ofResponse.set(copy, { observedAt: freshnessOfResponse(response).observedAt, stale: true });
  return copy;
}

export function freshnessOfResponse(response: HttpResponse): Freshness {
  return ofResponse.get(response) ?? { observedAt: Date.now(), stale: false };
}

/**
 * Marks every array and plain object reachable from `mapped` (a parsed body, or a connector's
 * mapping of one response: a page, a list, a model) with the response's freshness, so a Balance
 * resolver finds when its values were read without every connector threading a time through its
 * mappers. It runs once per response, on a body that connectors read outside one mapping
 * (HttpClient.json, replyReading) and on each read-once mapping; it does not walk into what is
 * marked already (a model carryFreshness marked). Iterative, and linear in the objects it reaches:
 * a body nested deep cannot overflow the stack.
 */
export function markModels(mapped: unknown, freshness: Freshness): void {
  const pending: unknown[] = [mapped];
  while (pending.length > 0) {
    const value = pending.pop();
    if (!isRecord(value) || !mark(value, freshness)) continue;
    // for-in, not Object.values: no array per object.
    if (Array.isArray(value)) {
      for (const child of value) if (typeof child === 'object' && child !== null) pending.push(child);
    } else {
      for (const key in value) {
        const child = (value as Record<string, unknown>)[key];
        if (typeof child === 'object' && child !== null) pending.push(child);
      }
    }
  }
}

/**
 * What may carry a freshness: an array or a plain object, as JSON.parse and the connectors' mappers
 * make them. Not a value object such as a body's LosslessNumber or a model's Money: no freshness is
 * read from one, and a Blnk page holds ten numbers per balance, whose marking took 8 % of the CPU
 * of a list of 50 answered without a shared vendor call.
 */
function isRecord(value: unknown): value is object {
  if (typeof value !== 'object' || value === null) return false;
  if (Array.isArray(value)) return true;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** The freshness of a model a connector mapped from a vendor answer; undefined for one it built otherwise. */
export function freshnessOf(model: object): Freshness | undefined {
  return FreshnessStamp.of(model);
}

/** The freshness of the answer whose body is being mapped right now (mapUnder), if any. */
let mapping: Freshness | undefined;

/**
 * Runs `map`, a synchronous mapping of one vendor answer's body, with that answer's freshness at
 * hand: what `carryFreshness` gives a model mapped from a record of that body, so the body's own
 * records need no marks. Marking a Blnk page of 51 balances record by record, every field visited
 * for objects beneath, took a tenth of reading it (parse, map and marks).
 */
export function mapUnder<T>(freshness: Freshness, map: () => T): T {
  const outer = mapping;
  mapping = freshness;
  try {
    return map();
  } finally {
    mapping = outer;
  }
}

/**
 * Marks a record of the answer being mapped (mapUnder) that the mapping hands out as it is, for a
 * later step to map a model from (Blnk's lookups hand their records out by id). Returns `record`.
 */
export function keepFreshness<T extends object>(record: T): T {
  return carryFreshness(record, record);
}

/**
 * Gives `model` the freshness of `from`, the vendor record or model it was mapped from, or else of
 * the answer being mapped (mapUnder): how a connector's balance keeps the receive time of the
 * answer it came from through its mapping steps. Only `model` itself is marked, not what it holds:
 * a model that a later step maps from (a balance's figures, an account) is carried on its own.
 * Returns `model`.
 */
export function carryFreshness<T>(from: unknown, model: T): T {
  const freshness = (typeof from === 'object' && from !== null ? FreshnessStamp.of(from) : undefined) ?? mapping;
  if (freshness !== undefined && isRecord(model)) mark(model, freshness);
  return model;
}
