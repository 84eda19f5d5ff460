import { createPublicKey, type KeyObject } from 'node:crypto';
import type { ConfigFields } from '../config-fields.ts';
import { ConfigError } from '../errors.ts';
import type { ApiKeyEntry, AuthConfig, JwtKeySource, JwtSettings, SourceGrant } from './types.ts';

const NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);
export const DEFAULT_SOURCES_CLAIM = 'balance_sources';
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;
/** The largest `maxTokenAgeSeconds`: 366 days, as far ahead as any token's `exp` may lie (see jwt.ts). */
export const MAX_TOKEN_AGE_SECONDS = 366 * 86_400;
/** The JWS algorithms a public key can verify (RFC 7518 §3.1, RFC 8037): never `none`, never HS* (a public key is no HMAC secret). */
export const ASYMMETRIC_ALGORITHMS: readonly string[] = [
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
];

/**
 * Reads `server.auth`; null (authentication off) when the block is absent. Every problem names
 * its field and never its value: a misplaced key or token must not reach a terminal or a log.
 */
export function parseAuthConfig(fields: ConfigFields | undefined, sourceNames: readonly string[]): AuthConfig | null {
  if (fields === undefined) return null;
  fields.only(['apiKeys', 'jwt']);
  const apiKeys = fields.has('apiKeys') ? parseApiKeys(fields, sourceNames) : [];
  const jwtFields = fields.optionalObject('jwt');
  const jwt = jwtFields ? parseJwt(jwtFields, sourceNames) : null;
  if (apiKeys.length === 0 && jwt === null)
    throw new ConfigError(
      `${fields.path('apiKeys')}: list at least one API key, or configure jwt (server.auth turns authentication on)`,
    );
  return { apiKeys, jwt };
}

function parseApiKeys(fields: ConfigFields, sourceNames: readonly string[]): ApiKeyEntry[] {
  const names = new Map<string, number>();
  const digests = new Map<string, number>();
  return fields.array('apiKeys').map((_, index) => {
    const entry = fields.item('apiKeys', index);
    entry.only(['name', 'sha256', 'sources']);
    const name = entry.string('name');
    if (!NAME.test(name))
      throw new ConfigError(`${entry.path('name')}: use lowercase letters, digits and single dashes`);
    if (names.has(name))
      throw new ConfigError(`${entry.path('name')}: "${name}" is used by apiKeys[${names.get(name)}]`);
    names.set(name, index);
    const hex = entry.string('sha256');
    if (!SHA256_HEX.test(hex))
      throw new ConfigError(
        `${entry.path('sha256')}: must be the 64 hex digits of the key's SHA-256 (printf %s "$KEY" | sha256sum), not the key`,
      );
    const digest = hex.toLowerCase();
    if (digests.has(digest))
      throw new ConfigError(`${entry.path('sha256')}: the same key as apiKeys[${digests.get(digest)}]`);
    digests.set(digest, index);
    return { name, sha256: Buffer.from(digest, 'hex'), sources: parseGrant(entry, 'sources', sourceNames) };
  });
}

/** A list of configured source names, or `["*"]` for every source. */
function parseGrant(fields: ConfigFields, key: string, sourceNames: readonly string[]): SourceGrant {
  const values = fields.array(key);
  if (values.length === 0) throw new ConfigError(`${fields.path(key)}: list at least one source name, or "*" for all`);
  const names = new Set<string>();
  values.forEach((value, index) => {
    const at = `${fields.path(key)}[${index}]`;
    if (typeof value !== 'string' || value === '') throw new ConfigError(`${at}: must be a source name`);
    if (value === '*') {
      if (values.length > 1) throw new ConfigError(`${at}: "*" (every source) stands alone in the list`);
      return;
    }
    if (!sourceNames.includes(value)) throw new ConfigError(`${at}: no source named "${value.slice(0, 60)}"`);
    names.add(value);
  });
  return names.size === 0 ? 'all' : names;
}

function parseJwt(fields: ConfigFields, sourceNames: readonly string[]): JwtSettings {
  fields.only([
    'jwksUrl',
    'publicKey',
    'issuer',
    'audience',
    'sourcesClaim',
    'algorithms',
    'clockToleranceSeconds',
    'maxTokenAgeSeconds',
  ]);
  if (fields.has('jwksUrl') === fields.has('publicKey'))
    throw new ConfigError(`${fields.path('jwksUrl')}: configure exactly one of jwksUrl and publicKey`);
  const keys: JwtKeySource = fields.has('jwksUrl')
    ? { jwksUrl: parseJwksUrl(fields) }
    : { publicKey: parsePublicKey(fields) };
  const fitting = 'publicKey' in keys ? algorithmsFor(keys.publicKey) : ASYMMETRIC_ALGORITHMS;
  return {
    keys,
    issuer: fields.string('issuer'),
    audience: fields.string('audience'),
    sourcesClaim: fields.optionalString('sourcesClaim') ?? DEFAULT_SOURCES_CLAIM,
    algorithms: fields.has('algorithms') ? parseAlgorithms(fields, fitting) : fitting,
    clockToleranceSeconds: fields.optionalInteger('clockToleranceSeconds', 0, 300) ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
    maxTokenAgeSeconds: fields.optionalInteger('maxTokenAgeSeconds', 1, MAX_TOKEN_AGE_SECONDS) ?? null,
    sourceNames,
  };
}

/** https only: the key set decides who may read balances. Plain http is for a loopback issuer in tests. */
function parseJwksUrl(fields: ConfigFields): URL {
  const at = fields.path('jwksUrl');
  let url: URL;
  try {
    url = new URL(fields.string('jwksUrl'));
  } catch {
    throw new ConfigError(`${at}: must be an absolute https URL`);
  }
  const loopback = LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback))
    throw new ConfigError(`${at}: must be an https URL (http only for 127.0.0.1, ::1 or localhost)`);
  if (url.username || url.password) throw new ConfigError(`${at}: must not carry credentials`);
  return url;
}

/** Parsed now, so a bad key fails at start and not on the first request. */
function parsePublicKey(fields: ConfigFields): KeyObject {
  const at = fields.path('publicKey');
  // A PEM put in an environment variable often arrives with its line breaks written as \n.
  const pem = fields.string('publicKey').replace(/\\n/g, '\n').trim();
  if (pem.includes('PRIVATE KEY'))
    throw new ConfigError(`${at}: is a private key; configure the issuer's public key only`);
  if (!pem.startsWith('-----BEGIN PUBLIC KEY-----'))
    throw new ConfigError(`${at}: must be a PEM public key (SPKI, "-----BEGIN PUBLIC KEY-----")`);
  let key: KeyObject;
  try {
    key = createPublicKey({ key: pem, format: 'pem' });
  } catch {
    throw new ConfigError(`${at}: is not a readable PEM public key`);
  }
  if (algorithmsFor(key).length === 0)
    throw new ConfigError(
      `${at}: cannot verify JWTs; use an RSA key of 2048 bits or more, an EC key on P-256, P-384 or P-521, or an Ed25519 key`,
    );
  return key;
}

const CURVE_ALGORITHMS: Readonly<Record<string, readonly string[]>> = {
  prime256v1: ['ES256'],
  secp384r1: ['ES384'],
  secp521r1: ['ES512'],
};

/** The algorithms a static key can verify (jose refuses RSA keys under 2048 bits). */
function algorithmsFor(key: KeyObject): readonly string[] {
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

function parseAlgorithms(fields: ConfigFields, fitting: readonly string[]): string[] {
  const values = fields.array('algorithms');
  if (values.length === 0)
    throw new ConfigError(`${fields.path('algorithms')}: list at least one algorithm, or leave the field out`);
  return values.map((value, index) => {
    const at = `${fields.path('algorithms')}[${index}]`;
    if (typeof value !== 'string' || !ASYMMETRIC_ALGORITHMS.includes(value))
      throw new ConfigError(`${at}: must be one of ${ASYMMETRIC_ALGORITHMS.join(', ')} (never none or HS*)`);
    if (!fitting.includes(value))
      throw new ConfigError(`${at}: does not fit the publicKey (it verifies ${fitting.join(', ')})`);
    return value;
  });
}
