import { parseLosslessJson } from '../json.ts';
import type { HttpResponse } from './types.ts';

type Reading = { readonly value: unknown } | { readonly error: unknown };

/**
 * What each response was read as (its parsed body, each connector mapping by its name). In-flight
 * sharing hands the one response object to every caller that joined the GET, and the read cache
 * (read-cache.ts) to every caller it answers, so a reading stored here serves them all; it goes
 * with the response.
 *
 * A hidden own property of the response (symbol-keyed, non-enumerable: a spread copy such as a
 * stale one starts without it), not an entry of a module-wide WeakMap: V8's young-generation GC
 * promotes much of what such a long-lived WeakMap's values hold (here every parsed and mapped
 * answer) into the old generation. Measured at 50 connections on the list of 50 (`--trace-gc-nvp`,
 * issue 14): 1.04 MB promoted per scavenge with the WeakMap, 0.85 MB without.
 */
const READINGS = Symbol('readings');
type Read = HttpResponse & { [READINGS]?: Map<string, Reading> };

export function readOnce<T>(response: HttpResponse, as: string, read: () => T): T {
  let own = (response as Read)[READINGS];
  if (own === undefined) {
    own = new Map();
    Object.defineProperty(response, READINGS, { value: own });
  }
  let reading = own.get(as);
  if (reading === undefined) {
    try {
      reading = { value: read() };
    } catch (error) {
      reading = { error };
    }
    own.set(as, reading);
  }
  if ('error' in reading) throw reading.error;
  return reading.value as T;
}

/** A response's JSON body, parsed losslessly once; null for no body (204, empty). */
export function bodyOf(response: HttpResponse): unknown {
  if (response.status === 204 || response.text === '') return null;
  return readOnce(response, 'body', () => parseLosslessJson(response.text));
}
