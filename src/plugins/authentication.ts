import type { Plugin } from 'graphql-yoga';
import type { Authenticator, Principal } from '../auth/index.ts';
import { setCaller } from '../request-scope.ts';

export interface Authentication {
  /** Authenticates every GraphQL request before its body is parsed. */
  readonly plugin: Plugin;
  /** The caller the plugin found for a request, for the context factory. */
  principalOf(request: Request): Promise<Principal>;
}

/**
 * Authentication before anything reads the document: `onRequestParse` runs before yoga parses the
 * body, graphql-js parses and validates the query, or persisted operations are looked up, so a
 * caller without valid credentials gets 401 (or 503 when the token issuer is unreachable) and
 * never a parse, validation or persisted-operation error, whose messages would name the schema's
 * fields, arguments and types. It runs in every mode: what a development gateway reveals to a
 * stranger is the same schema. Only the headers are read; the body stays unread.
 */
export function createAuthentication(authenticator: Authenticator): Authentication {
  const principals = new WeakMap<Request, Principal>();
  return {
    plugin: {
      async onRequestParse({ request }) {
        const principal = await authenticator.authenticate(request);
        setCaller(principal.id);
        principals.set(request, principal);
      },
    },
    // The context factory sees the request `onRequestParse` saw; should it ever not, it
    // authenticates again rather than run unauthenticated.
    principalOf: async (request) => principals.get(request) ?? (await authenticator.authenticate(request)),
  };
}
