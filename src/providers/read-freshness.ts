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
 * On a model or body record it is a hidden own property (non-enumerable, symbol-keyed: no
 * `Object.keys`, spread or `JSON.stringify` sees it), not an entry of a WeakMap: a WeakMap held an
 * entry for every object of every body read, hundreds of thousands under load, and V8 walks such a
 * table in every full GC's pause (184 ms of them at 50 connections: issue 14's tail).
 */
const ofResponse = new WeakMap<HttpResponse, Freshness>();
const FRESHNESS = Symbol('freshness');
type Marked = { [FRESHNESS]?: Freshness };

/** Gives `value` its freshness unless it has one, or is frozen (a model shared as it is). */
function mark(value: object, freshness: Freshness): boolean {
  if (Object.hasOwn(value, FRESHNESS) || !Object.isExtensible(value)) return false;
  Object.defineProperty(value, FRESHNESS, { value: freshness });
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
 * mappers. For a body and a read-once mapping it runs once per response; through carryFreshness,
 * once per model built, which on the paths that map per request is per request. Iterative, and
 * linear in the objects it reaches: a body nested deep cannot overflow the stack.
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
  return (model as Marked)[FRESHNESS];
}

/**
 * Gives `model` (and what it holds) the freshness of `from`, the vendor record or model it was
 * mapped from, when that has one: how a connector's balance keeps the receive time of the answer
 * it came from through its mapping steps. Returns `model`.
 */
export function carryFreshness<T>(from: unknown, model: T): T {
  const freshness = typeof from === 'object' && from !== null ? (from as Marked)[FRESHNESS] : undefined;
  if (freshness !== undefined) markModels(model, freshness);
  return model;
}
