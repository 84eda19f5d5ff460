import type { HttpClient, HttpResponse } from './http/index.ts';
import { freezeShared } from '../relay/page-identities.ts';
import { bodyOf, readOnce } from './http/read-once.ts';
import { freshnessOfResponse, markModels } from './read-freshness.ts';

/** A reply's body mapped by a named mapping, once per vendor response. */
export type ReadOnce = <T>(as: string, map: (body: unknown) => T) => T;

/**
 * A 2xx vendor response of a connector that reads replies itself (Formance, Midaz: a 401 retry,
 * allowed 400/404 with an error code, pages walked by the connector) as `HttpClient.read` reads it
 * for the others: the body parsed once (read-once.ts), and each mapping, named by `as`, run once,
 * so every request that joined the GET in flight, or that the read cache answered with this
 * response, reuses the reading instead of parsing and mapping the body again.
 *
 * `as` must name everything the mapping depends on beyond the response (what the request does not
 * say: an alias or id spelling asked, a token's kind); a filter applied per request goes after
 * the mapping. The result is shared between requests: frozen at the top, and nobody may change it.
 * It and the body carry the response's receive time (read-freshness.ts). A shape error is the
 * client's SOURCE_BAD_RESPONSE, the same one again for each reader.
 */
export function replyReading(client: HttpClient, response: HttpResponse): { body: unknown; read: ReadOnce } {
  const body = client.decode(() =>
    readOnce(response, 'marked-body', () => {
      const parsed = bodyOf(response);
      markModels(parsed, freshnessOfResponse(response));
      return parsed;
    }),
  );
  const read: ReadOnce = (as, map) =>
    client.decode(() =>
      readOnce(response, `map:${as}`, () => {
        const mapped = map(body);
        markModels(mapped, freshnessOfResponse(response));
        return freezeShared(mapped);
      }),
    );
  return { body, read };
}

/**
 * What an error response's body says (a vendor error code), read once per response by `read`;
 * `read` gets null for a body that is not JSON (a proxy's page, a framework's text 404).
 */
export function errorBodyOf<T>(response: HttpResponse, read: (body: unknown) => T): T {
  return readOnce(response, 'error-body', () => {
    let body: unknown = null;
    try {
      body = bodyOf(response);
    } catch {
      // Not JSON: the reader sees no body.
    }
    return read(body);
  });
}

/** The `read` of a reply that has no body to map (an allowed error status): calling it is a connector's mistake. */
export const noReading: ReadOnce = () => {
  throw new Error('an error reply has no body to read');
};
