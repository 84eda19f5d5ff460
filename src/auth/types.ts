import type { KeyObject } from 'node:crypto';

/** Which sources a caller may see: a set of configured source names, or every source. */
export type SourceGrant = ReadonlySet<string> | 'all';

/**
 * Client authentication (issue 8): who is calling, and which sources it may see. Off in demo mode
 * and whenever `server.auth` is absent: every caller then sees every source.
 */
export interface Principal {
  /** A name for logs: the API key's configured name or `jwt:<sub>`. Never a secret. */
  readonly id: string;
  /** The source names this caller may see; `'all'` when authentication is off. */
  readonly sources: SourceGrant;
}

/** One entry of `server.auth.apiKeys`. The key itself is never configured, only its digest. */
export interface ApiKeyEntry {
  /** Names the caller in logs: lowercase letters, digits and single dashes, unique. */
  readonly name: string;
  /** SHA-256 of the key (32 bytes), unique. */
  readonly sha256: Buffer;
  /** The sources the key may see; `["*"]` in the file is `'all'`. */
  readonly sources: SourceGrant;
}

/** Where the public keys that sign bearer tokens come from. */
export type JwtKeySource = { readonly jwksUrl: URL } | { readonly publicKey: KeyObject };

/** `server.auth.jwt`: bearer tokens (JWTs) signed by an issuer the gateway trusts. */
export interface JwtSettings {
  readonly keys: JwtKeySource;
  /** Compared exactly with the token's `iss` (a trailing slash matters). */
  readonly issuer: string;
  /** Must be one of the token's `aud`. */
  readonly audience: string;
  /** The claim listing the sources a token may see: an array of names, or `"*"`. Default `balance_sources`. */
  readonly sourcesClaim: string;
  /** The `alg` values accepted: asymmetric only, never `none` or HS*. */
  readonly algorithms: readonly string[];
  /** Leeway for `exp`, `nbf` and `iat`, in seconds. Default 30. */
  readonly clockToleranceSeconds: number;
  /** Oldest a token may be, in seconds since its `iat` (then required); null: no bound but `exp`. */
  readonly maxTokenAgeSeconds: number | null;
  /** The configured source names, in configuration order: names in a token's claim that are not here are ignored. */
  readonly sourceNames: readonly string[];
}

/** `server.auth` of the configuration, validated. At least one of `apiKeys` and `jwt` is in use. */
export interface AuthConfig {
  readonly apiKeys: readonly ApiKeyEntry[];
  readonly jwt: JwtSettings | null;
}
