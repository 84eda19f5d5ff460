import type { ConfigFields } from '../config-fields.ts';

/**
 * Client authentication (issue 8): who is calling, and which sources it may see. Off in demo mode
 * and whenever `server.auth` is absent: every caller then sees every source.
 */
export interface Principal {
  /** A name for logs: the API key's configured name or the token's subject. Never a secret. */
  readonly id: string;
  /** The source names this caller may see; `'all'` when authentication is off. */
  readonly sources: ReadonlySet<string> | 'all';
}

/** The caller when authentication is off. */
export const EVERYONE: Principal = { id: 'anonymous', sources: 'all' };

/** `server.auth` of the configuration, validated. */
export interface AuthConfig {
  readonly placeholder?: never;
}

/** Reads `server.auth`; null (authentication off) when the block is absent. Source names in it must be configured ones. */
export function parseAuthConfig(fields: ConfigFields | undefined, _sourceNames: readonly string[]): AuthConfig | null {
  if (fields === undefined) return null;
  fields.only([]);
  return {};
}

export interface Authenticator {
  /** The caller of a request, or an UnauthenticatedError. */
  authenticate(request: Request): Promise<Principal>;
}

export function createAuthenticator(config: AuthConfig | null): Authenticator {
  if (config === null) return { authenticate: async () => EVERYONE };
  return { authenticate: async () => EVERYONE };
}
