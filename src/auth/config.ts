import { fallbackMessage, ConfigProblems } from '../config/problems.ts';
import { ConfigError } from '../errors.ts';
import { algorithmsFor, ASYMMETRIC_ALGORITHMS, authSchema, type AuthFields, readPublicKey } from './config-schema.ts';
import type { ApiKeyEntry, AuthConfig, JwtKeySource, SourceGrant } from './types.ts';

export { authSchema } from './config-schema.ts';
export const DEFAULT_SOURCES_CLAIM = 'balance_sources';
export const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;

type Entry = Record<string, unknown>;
const isEntry = (value: unknown): value is Entry =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The checks of `server.auth` no single field can make (the source names a key may see, names and
 * digests used twice, one key source for JWTs, algorithms the key verifies). They read the block
 * as written, whatever else is wrong with it, so their problems are reported with the schema's.
 */
export function checkAuth(raw: unknown, sourceNames: readonly string[], problems: ConfigProblems, at: string): void {
  if (!isEntry(raw)) return;
  const apiKeys = Array.isArray(raw.apiKeys) ? raw.apiKeys : [];
  // A misspelt field (reported as unknown) is most likely the missing one: not a second problem.
  const misspelt = Object.keys(raw).some((key) => key !== 'apiKeys' && key !== 'jwt');
  const none =
    apiKeys.length === 0 && raw.jwt === undefined && (raw.apiKeys === undefined || Array.isArray(raw.apiKeys));
  if (none && !misspelt)
    problems.add(`${at}.apiKeys`, 'list at least one API key, or configure jwt (server.auth turns authentication on)');
  const names = new Map<string, number>();
  const digests = new Map<string, number>();
  apiKeys.forEach((entry, index) => {
    if (!isEntry(entry)) return;
    const path = `${at}.apiKeys[${index}]`;
    const { name, sha256, sources } = entry;
    if (typeof name === 'string' && name !== '') {
      const earlier = names.get(name);
      if (earlier !== undefined) problems.add(`${path}.name`, `"${name.slice(0, 60)}" is used by apiKeys[${earlier}]`);
      else names.set(name, index);
    }
    if (typeof sha256 === 'string' && /^[0-9a-fA-F]{64}$/.test(sha256)) {
      const earlier = digests.get(sha256.toLowerCase());
      if (earlier !== undefined) problems.add(`${path}.sha256`, `the same key as apiKeys[${earlier}]`);
      else digests.set(sha256.toLowerCase(), index);
    }
    if (Array.isArray(sources)) checkGrant(sources, sourceNames, problems, `${path}.sources`);
  });
  if (isEntry(raw.jwt)) checkJwt(raw.jwt, problems, `${at}.jwt`);
}

/** A list of configured source names, or `["*"]` alone for every source. */
function checkGrant(values: unknown[], sourceNames: readonly string[], problems: ConfigProblems, at: string): void {
  values.forEach((value, index) => {
    if (typeof value !== 'string' || value === '') return;
    if (value === '*') {
      if (values.length > 1) problems.add(`${at}[${index}]`, '"*" (every source) stands alone in the list');
    } else if (!sourceNames.includes(value)) problems.add(`${at}[${index}]`, `no source named "${value.slice(0, 60)}"`);
  });
}

function checkJwt(jwt: Entry, problems: ConfigProblems, at: string): void {
  if ((jwt.jwksUrl === undefined) === (jwt.publicKey === undefined))
    problems.add(`${at}.jwksUrl`, 'configure exactly one of jwksUrl and publicKey');
  if (typeof jwt.publicKey !== 'string' || !Array.isArray(jwt.algorithms)) return;
  const key = readPublicKey(jwt.publicKey);
  if (typeof key === 'string') return;
  const fitting = algorithmsFor(key);
  jwt.algorithms.forEach((value, index) => {
    if (
      typeof value === 'string' &&
      (ASYMMETRIC_ALGORITHMS as readonly string[]).includes(value) &&
      !fitting.includes(value)
    )
      problems.add(`${at}.algorithms[${index}]`, `does not fit the publicKey (it verifies ${fitting.join(', ')})`);
  });
}

/** The settings of a `server.auth` block the schema and `checkAuth` passed; null (off) when there is none. */
export function readAuthConfig(fields: AuthFields | undefined, sourceNames: readonly string[]): AuthConfig | null {
  if (fields === undefined) return null;
  const apiKeys: ApiKeyEntry[] = (fields.apiKeys ?? []).map((entry) => ({
    name: entry.name,
    sha256: Buffer.from(entry.sha256.toLowerCase(), 'hex'),
    sources: grantOf(entry.sources),
  }));
  const jwt = fields.jwt;
  if (jwt === undefined) return { apiKeys, jwt: null };
  const publicKey = jwt.publicKey === undefined ? undefined : readPublicKey(jwt.publicKey);
  if (typeof publicKey === 'string') throw new ConfigError('server.auth.jwt.publicKey: checked before it is read');
  const keys: JwtKeySource = publicKey ? { publicKey } : { jwksUrl: new URL(jwt.jwksUrl ?? '') };
  return {
    apiKeys,
    jwt: {
      keys,
      issuer: jwt.issuer,
      audience: jwt.audience,
      sourcesClaim: jwt.sourcesClaim ?? DEFAULT_SOURCES_CLAIM,
      algorithms: jwt.algorithms ?? (publicKey ? algorithmsFor(publicKey) : ASYMMETRIC_ALGORITHMS),
      clockToleranceSeconds: jwt.clockToleranceSeconds ?? DEFAULT_CLOCK_TOLERANCE_SECONDS,
      maxTokenAgeSeconds: jwt.maxTokenAgeSeconds ?? null,
      sourceNames,
    },
  };
}

function grantOf(sources: readonly string[]): SourceGrant {
  return sources.includes('*') ? 'all' : new Set(sources);
}

/**
 * Reads a `server.auth` block on its own (the programmatic way; a configuration file goes through
 * `parseConfig`, which reports this block's problems with the rest). Throws ConfigError, one line
 * per problem.
 */
export function parseAuthConfig(raw: unknown, sourceNames: readonly string[]): AuthConfig | null {
  if (raw === undefined || raw === null) return null;
  const problems = new ConfigProblems();
  const result = authSchema.safeParse(raw, { error: fallbackMessage });
  if (!result.success) problems.addIssues(result.error.issues, ['server', 'auth']);
  checkAuth(raw, sourceNames, problems, 'server.auth');
  if (problems.size > 0 || !result.success) throw new ConfigError(problems.lines().join('\n'));
  return readAuthConfig(result.data, sourceNames);
}
