import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { ConfigError } from './errors.ts';
import type { ProviderKind } from './providers/types.ts';

/**
 * The configuration file: YAML (JSON is accepted, being YAML), `${NAME}` replaced from the
 * environment, validated in full at start-up. Every problem is one line that names the field
 * (`sources[1].auth.apiKey: required`) and never a value, so no secret reaches a terminal or log.
 */
export interface ServerConfig {
  /** Interface to listen on. Default 127.0.0.1. */
  readonly host: string;
  /** Port to listen on. Default 4000. */
  readonly port: number;
  /** Serve GraphiQL at /graphql to browsers. Default true. */
  readonly graphiql: boolean;
  /** Key that seals Relay cursors; random per start when null (cursors then die with the process). */
  readonly cursorSecret: string | null;
}

interface SourceBase {
  /** Unique; lowercase letters, digits, dashes. Shown in IDs and errors. */
  readonly name: string;
  /** The vendor API base URL. */
  readonly url: string;
  /** Deadline for one upstream call, retries included. Default 5000. */
  readonly timeoutMs: number;
}

export type SourceConfig =
  | (SourceBase & { readonly kind: 'formance'; readonly auth: { readonly clientId: string; readonly clientSecret: string; readonly tokenUrl: string | null } | null })
  | (SourceBase & {
      readonly kind: 'blnk';
      readonly auth: { readonly apiKey: string } | null;
      readonly currencyScales: Readonly<Record<string, number>>;
      /** How balances are looked up by id: `get` (balance_id_in GETs, read scope) or `filter` (one POST, write scope). Default get. */
      readonly batchWith: 'get' | 'filter';
    })
  | (SourceBase & { readonly kind: 'ledger-enterprise'; readonly auth: { readonly apiUser: string; readonly apiKey: string | null } })
  | (SourceBase & {
      readonly kind: 'midaz';
      readonly organizationId: string;
      readonly auth: { readonly token: string | null } | null;
      /** Decimal places per asset code: Midaz amounts are decimals and no response says the scale. */
      readonly assetScales: Readonly<Record<string, number>>;
      /** Most calls in flight at once to this source (lookups fan out). Default 8. */
      readonly concurrency: number;
    })
  | (SourceBase & { readonly kind: 'vonage'; readonly auth: { readonly apiKey: string; readonly apiSecret: string } });

export interface GatewayConfig {
  readonly server: ServerConfig;
  /** In the order sources appear in merged connections. */
  readonly sources: readonly SourceConfig[];
}

export const DEFAULT_SERVER: ServerConfig = { host: '127.0.0.1', port: 4000, graphiql: true, cursorSecret: null };
export const DEFAULT_TIMEOUT_MS = 5000;
const KINDS: readonly ProviderKind[] = ['formance', 'ledger-enterprise', 'midaz', 'blnk', 'vonage'];
const NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const CURRENCY = /^[A-Za-z0-9_]{1,32}$/;

/** Reads and validates a configuration file. Throws ConfigError with a one-line message. */
export async function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): Promise<GatewayConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new ConfigError(`${path}: cannot read the file`);
  }
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (error) {
    const line = (error as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    throw new ConfigError(`${path}: not valid YAML or JSON${line ? ` (line ${line})` : ''}`);
  }
  return parseConfig(raw, env);
}

/** Validates an already-parsed configuration value. */
export function parseConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const root = new Fields(interpolate(raw, '', env), '');
  root.only(['server', 'sources']);
  const server = root.optionalObject('server');
  server?.only(['host', 'port', 'graphiql', 'cursorSecret']);
  const sourceList = root.array('sources');
  if (sourceList.length === 0) throw new ConfigError('sources: list at least one source');
  const sources = sourceList.map((_, index) => parseSource(root.item('sources', index)));
  const seen = new Set<string>();
  sources.forEach((source, index) => {
    if (seen.has(source.name)) throw new ConfigError(`sources[${index}].name: "${source.name}" is used by an earlier source`);
    seen.add(source.name);
  });
  return {
    server: {
      host: server?.optionalString('host') ?? DEFAULT_SERVER.host,
      port: server?.optionalInteger('port', 0, 65535) ?? DEFAULT_SERVER.port,
      graphiql: server?.optionalBoolean('graphiql') ?? DEFAULT_SERVER.graphiql,
      cursorSecret: server?.optionalString('cursorSecret', 16) ?? null,
    },
    sources,
  };
}

function parseSource(fields: Fields): SourceConfig {
  const kind = fields.string('kind');
  if (!KINDS.includes(kind as ProviderKind)) throw new ConfigError(`${fields.path('kind')}: must be one of ${KINDS.join(', ')}`);
  const name = fields.string('name');
  if (!NAME.test(name)) throw new ConfigError(`${fields.path('name')}: use lowercase letters, digits and single dashes`);
  const base = { name, url: fields.url('url'), timeoutMs: fields.optionalInteger('timeoutMs', 1, 600_000) ?? DEFAULT_TIMEOUT_MS };
  const common = ['name', 'kind', 'url', 'timeoutMs', 'auth'];
  switch (kind as ProviderKind) {
    case 'formance': {
      fields.only(common);
      const auth = fields.optionalObject('auth');
      auth?.only(['clientId', 'clientSecret', 'tokenUrl']);
      return { ...base, kind: 'formance', auth: auth ? { clientId: auth.string('clientId'), clientSecret: auth.string('clientSecret'), tokenUrl: auth.has('tokenUrl') ? auth.url('tokenUrl') : null } : null };
    }
    case 'blnk': {
      fields.only([...common, 'currencyScales', 'batchWith']);
      const auth = fields.optionalObject('auth');
      auth?.only(['apiKey']);
      const currencyScales = readScales(fields.optionalObject('currencyScales'));
      const batchWith = fields.optionalString('batchWith') ?? 'get';
      if (batchWith !== 'get' && batchWith !== 'filter') throw new ConfigError(`${fields.path('batchWith')}: must be get or filter`);
      return { ...base, kind: 'blnk', auth: auth ? { apiKey: auth.string('apiKey') } : null, currencyScales, batchWith };
    }
    case 'ledger-enterprise': {
      fields.only(common);
      const auth = fields.object('auth');
      auth.only(['apiUser', 'apiKey']);
      return { ...base, kind: 'ledger-enterprise', auth: { apiUser: auth.string('apiUser'), apiKey: auth.optionalString('apiKey') ?? null } };
    }
    case 'midaz': {
      fields.only([...common, 'organizationId', 'assetScales', 'concurrency']);
      const auth = fields.optionalObject('auth');
      auth?.only(['token']);
      return {
        ...base,
        kind: 'midaz',
        organizationId: fields.string('organizationId'),
        auth: auth ? { token: auth.optionalString('token') ?? null } : null,
        assetScales: readScales(fields.object('assetScales')),
        concurrency: fields.optionalInteger('concurrency', 1, 64) ?? 8,
      };
    }
    case 'vonage': {
      fields.only(common);
      const auth = fields.object('auth');
      auth.only(['apiKey', 'apiSecret']);
      return { ...base, kind: 'vonage', auth: { apiKey: auth.string('apiKey'), apiSecret: auth.string('apiSecret') } };
    }
  }
}

/** A map of asset or currency code to its decimal places; every value is required (a missing one would show amounts 10^n off). */
function readScales(scales: Fields | undefined): Record<string, number> {
  const result: Record<string, number> = {};
  for (const code of scales?.keys() ?? []) {
    if (!CURRENCY.test(code)) throw new ConfigError(`${scales?.path(code)}: not a currency or asset code`);
    result[code] = scales?.integer(code, 0, 36) ?? 0;
  }
  return result;
}

/** Replaces `${NAME}` in every string with the environment variable; a missing one names the field. */
function interpolate(value: unknown, path: string, env: NodeJS.ProcessEnv): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_, variable: string) => {
      const replacement = env[variable];
      if (replacement === undefined) throw new ConfigError(`${path || '(root)'}: environment variable ${variable} is not set`);
      return replacement;
    });
  }
  if (Array.isArray(value)) return value.map((item, index) => interpolate(item, `${path}[${index}]`, env));
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, interpolate(item, path ? `${path}.${key}` : key, env)]));
  }
  return value;
}

/** Typed reads of one object of the file, each failure naming its field path. */
class Fields {
  readonly #value: Record<string, unknown>;
  readonly #path: string;

  constructor(value: unknown, path: string) {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ConfigError(`${path || '(root)'}: must be an object`);
    this.#value = value as Record<string, unknown>;
    this.#path = path;
  }

  path(key: string): string {
    return this.#path ? `${this.#path}.${key}` : key;
  }

  has(key: string): boolean {
    return this.#value[key] !== undefined && this.#value[key] !== null;
  }

  keys(): string[] {
    return Object.keys(this.#value);
  }

  /** Rejects unknown fields, which are nearly always typos. */
  only(allowed: readonly string[]): void {
    for (const key of Object.keys(this.#value)) {
      if (!allowed.includes(key)) throw new ConfigError(`${this.path(key)}: unknown field (expected one of ${allowed.join(', ')})`);
    }
  }

  string(key: string): string {
    if (!this.has(key)) throw new ConfigError(`${this.path(key)}: required`);
    const value = this.#value[key];
    if (typeof value !== 'string' || value === '') throw new ConfigError(`${this.path(key)}: must be a non-empty string`);
    return value;
  }

  optionalString(key: string, minLength = 1): string | undefined {
    if (!this.has(key)) return undefined;
    const value = this.string(key);
    if (value.length < minLength) throw new ConfigError(`${this.path(key)}: must be at least ${minLength} characters`);
    return value;
  }

  url(key: string): string {
    const value = this.string(key);
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ConfigError(`${this.path(key)}: must be an absolute http or https URL`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(`${this.path(key)}: must be an absolute http or https URL`);
    if (url.username || url.password) throw new ConfigError(`${this.path(key)}: put credentials under auth, not in the URL`);
    if (url.search || url.hash) throw new ConfigError(`${this.path(key)}: must not carry a query string or fragment`);
    return value.replace(/\/+$/, '');
  }

  integer(key: string, min: number, max: number): number {
    if (!this.has(key)) throw new ConfigError(`${this.path(key)}: required`);
    let value = this.#value[key];
    // "${PORT}" arrives as text after interpolation: digits are an integer.
    if (typeof value === 'string' && /^-?\d+$/.test(value)) value = Number(value);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) throw new ConfigError(`${this.path(key)}: must be an integer from ${min} to ${max}`);
    return value;
  }

  optionalInteger(key: string, min: number, max: number): number | undefined {
    return this.has(key) ? this.integer(key, min, max) : undefined;
  }

  optionalBoolean(key: string): boolean | undefined {
    if (!this.has(key)) return undefined;
    let value = this.#value[key];
    if (value === 'true' || value === 'false') value = value === 'true'; // "${GRAPHIQL}" after interpolation
    if (typeof value !== 'boolean') throw new ConfigError(`${this.path(key)}: must be true or false`);
    return value;
  }

  object(key: string): Fields {
    if (!this.has(key)) throw new ConfigError(`${this.path(key)}: required`);
    return new Fields(this.#value[key], this.path(key));
  }

  optionalObject(key: string): Fields | undefined {
    return this.has(key) ? this.object(key) : undefined;
  }

  array(key: string): unknown[] {
    const value = this.#value[key];
    if (!Array.isArray(value)) throw new ConfigError(`${this.path(key)}: ${this.has(key) ? 'must be a list' : 'required'}`);
    return value;
  }

  item(key: string, index: number): Fields {
    return new Fields(this.array(key)[index], `${this.path(key)}[${index}]`);
  }
}
