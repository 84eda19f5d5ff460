import { createPublicKey, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { integer, list, matching, strict, text } from '../config-fields.ts';

/*
 * `server.auth` as a schema. Every message names what a field must be and never its value: a
 * misplaced key or token must not reach a terminal or a log. What needs the configured source
 * names or several fields at once is checked by `checkAuth` (auth/config.ts).
 */

export const NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
/** The largest `maxTokenAgeSeconds`: 366 days, as far ahead as any token's `exp` may lie (see jwt.ts). */
export const MAX_TOKEN_AGE_SECONDS = 366 * 86_400;
/** The JWS algorithms a public key can verify (RFC 7518 §3.1, RFC 8037): never `none`, never HS* (a public key is no HMAC secret). */
export const ASYMMETRIC_ALGORITHMS = [
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'ES256',
  'ES384',
  'ES512',
  'EdDSA',
  'Ed25519',
] as const;

const sourceName = z.string({ error: 'must be a source name' }).min(1, 'must be a source name');

const apiKeySchema = strict({
  name: matching(NAME, 'use lowercase letters, digits and single dashes'),
  sha256: matching(
    SHA256_HEX,
    `must be the 64 hex digits of the key's SHA-256 (printf %s "$KEY" | sha256sum), not the key`,
  ),
  sources: list(sourceName).min(1, 'list at least one source name, or "*" for all'),
});

/** https only: the key set decides who may read balances. Plain http is for a loopback issuer in tests. */
function jwksUrlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute https URL';
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    return 'must be an https URL (http only for 127.0.0.1, ::1 or localhost)';
  if (url.username || url.password) return 'must not carry credentials';
  return undefined;
}

/** The issuer's key, parsed now so a bad key fails at start; or why it cannot be used. */
export function readPublicKey(value: string): KeyObject | string {
  // A PEM put in an environment variable often arrives with its line breaks written as \n.
  const pem = value.replace(/\\n/g, '\n').trim();
  if (pem.includes('PRIVATE KEY')) return "is a private key; configure the issuer's public key only";
  if (!pem.startsWith('-----BEGIN PUBLIC KEY-----'))
    return 'must be a PEM public key (SPKI, "-----BEGIN PUBLIC KEY-----")';
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    return 'is not a readable PEM public key';
  }
  if (algorithmsFor(key).length === 0)
    return 'cannot verify JWTs; use an RSA key of 2048 bits or more, an EC key on P-256, P-384 or P-521, or an Ed25519 key';
  return key;
}

const CURVE_ALGORITHMS: Readonly<Record<string, readonly string[]>> = {
  prime256v1: ['ES256'],
  secp384r1: ['ES384'],
  secp521r1: ['ES512'],
};

/** The algorithms a static key can verify (jose refuses RSA keys under 2048 bits). */
export function algorithmsFor(key: KeyObject): readonly string[] {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return (details.modulusLength ?? 0) >= 2048 ? ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] : [];
    case 'rsa-pss':
      return (details.modulusLength ?? 0) >= 2048 ? ['PS256', 'PS384', 'PS512'] : [];
    case 'ec':
      return CURVE_ALGORITHMS[details.namedCurve ?? ''] ?? [];
    case 'ed25519':
      return ['EdDSA', 'Ed25519'];
    default:
      return [];
  }
}

/** A string check as a zod refinement: `problem` returns the message, or undefined when the value is fine. */
const refined = (problem: (value: string) => string | undefined) =>
  text().superRefine((value, context) => {
    const message = problem(value);
    if (message) context.addIssue({ code: 'custom', message });
  });

const jwtSchema = strict({
  jwksUrl: refined(jwksUrlProblem).optional(),
  publicKey: refined((value) => {
    const key = readPublicKey(value);
    return typeof key === 'string' ? key : undefined;
  }).optional(),
  issuer: text(),
  audience: text(),
  sourcesClaim: text().optional(),
  algorithms: list(
    z.enum(ASYMMETRIC_ALGORITHMS, {
      error: `must be one of ${ASYMMETRIC_ALGORITHMS.join(', ')} (never none or HS*)`,
    }),
  )
    .min(1, 'list at least one algorithm, or leave the field out')
    .optional(),
  clockToleranceSeconds: integer(0, 300).optional(),
  maxTokenAgeSeconds: integer(1, MAX_TOKEN_AGE_SECONDS).optional(),
});

/** `server.auth`: API keys (their SHA-256, never the key) and a JWT issuer; at least one of them. */
export const authSchema = strict({
  apiKeys: list(apiKeySchema).optional(),
  jwt: jwtSchema.optional(),
});

export type AuthFields = z.output<typeof authSchema>;
