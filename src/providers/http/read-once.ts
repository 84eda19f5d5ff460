import { parseLosslessJson } from '../json.ts';
import type { HttpResponse } from './types.ts';

type Reading = { readonly value: unknown } | { readonly error: unknown };

/**
 * What each response was read as (its parsed body, each connector mapping by its name). In-flight sharing hands the one response object to every
 * caller that joined the GET, and the read cache (read-cache.ts) to every caller it answers, so a
 * reading stored here serves them all; it goes with the response.
 */
const readings = new WeakMap<HttpResponse, Map<string, Reading>>();

export function readOnce<T>(response: HttpResponse, as: string, read: () => T): T {
  let own = readings.get(response);
  if (own === undefined) {
    own = new Map();
    readings.set(response, own);
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
