/**
 * Client authentication (issue 8): who is calling, and which sources it may see. Off in demo mode
 * and whenever `server.auth` is absent: every caller then sees every source. Otherwise a caller
 * proves itself with an API key (`x-api-key`) or a JWT (`authorization: Bearer`), and sees only
 * the sources its key or token names; the context then holds only those sources' connectors.
 */
export type { AuthConfig, ApiKeyEntry, JwtSettings, Principal, SourceGrant } from './types.ts';
export { parseAuthConfig } from './config.ts';
export {
  API_KEY_HEADER,
  EVERYONE,
  createAuthenticator,
  type Authenticator,
  type AuthenticatorOptions,
} from './authenticator.ts';
