import { createHash } from 'node:crypto';
import { type GraphQLSchema, printSchema } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/** Where the SDL is served; a `.graphql` URL is what codegen's URL loader reads as SDL. */
export const SCHEMA_PATH = '/schema.graphql';

/**
 * `GET /schema.graphql`: the public schema as SDL (graphql-js `printSchema`, the text of
 * test/__snapshots__/schema.graphql), in every mode. Production turns introspection off, so this
 * is how a client generates its types against a production gateway. The SDL is the public
 * contract: it names no source, URL or credential. It is printed once; its ETag lets a client
 * revalidate with `If-None-Match` and get 304 without a body. It does no work per request, so it
 * takes no admission slot.
 */
export function useSchemaEndpoint(schema: GraphQLSchema): Plugin {
  const sdl = printSchema(schema);
  const etag = `"${createHash('sha256').update(sdl).digest('base64url')}"`;
  return {
    onRequest({ url, request, endResponse, fetchAPI }) {
      if (url.pathname !== SCHEMA_PATH) return;
      const headers = { etag, 'cache-control': 'no-cache', vary: 'accept-encoding' };
      if (request.method !== 'GET' && request.method !== 'HEAD') {
        endResponse(new fetchAPI.Response(null, { status: 405, headers: { allow: 'GET, HEAD' } }));
        return;
      }
      if (matchesEtag(request.headers.get('if-none-match'), etag)) {
        endResponse(new fetchAPI.Response(null, { status: 304, headers }));
        return;
      }
      endResponse(
        new fetchAPI.Response(request.method === 'HEAD' ? null : sdl, {
          status: 200,
          headers: { ...headers, 'content-type': 'text/plain; charset=utf-8' },
        }),
      );
    },
  };
}

/** RFC 9110 §13.1.2: `*` or a list of entity tags, weak ones compared weakly. */
function matchesEtag(header: string | null, etag: string): boolean {
  if (header === null) return false;
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed.replace(/^W\//, '') === etag;
  });
}
