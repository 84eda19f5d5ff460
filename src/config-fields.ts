import { ConfigError } from './errors.ts';
import { MAX_SCALE } from './money.ts';

/** Typed reads of one object of a configuration file, each failure naming its field path (`sources[1].auth.apiKey`). */
export class ConfigFields {
  readonly #value: Record<string, unknown>;
  readonly #path: string;

  constructor(value: unknown, path: string) {
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new ConfigError(`${path || '(root)'}: must be an object`);
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
      if (!allowed.includes(key))
        throw new ConfigError(`${this.path(key)}: unknown field (expected one of ${allowed.join(', ')})`);
    }
  }

  string(key: string): string {
    if (!this.has(key)) throw new ConfigError(`${this.path(key)}: required`);
    const value = this.#value[key];
    if (typeof value !== 'string' || value === '')
      throw new ConfigError(`${this.path(key)}: must be a non-empty string`);
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
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new ConfigError(`${this.path(key)}: must be an absolute http or https URL`);
    if (url.username || url.password)
      throw new ConfigError(`${this.path(key)}: put credentials under auth, not in the URL`);
    if (url.search || url.hash) throw new ConfigError(`${this.path(key)}: must not carry a query string or fragment`);
    return value.replace(/\/+$/, '');
  }

  integer(key: string, min: number, max: number): number {
    if (!this.has(key)) throw new ConfigError(`${this.path(key)}: required`);
    let value = this.#value[key];
    // "${PORT}" arrives as text after interpolation: digits are an integer.
    if (typeof value === 'string' && /^-?\d+$/.test(value)) value = Number(value);
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max)
      throw new ConfigError(`${this.path(key)}: must be an integer from ${min} to ${max}`);
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

  object(key: string): ConfigFields {
    if (!this.has(key)) throw new ConfigError(`${this.path(key)}: required`);
    return new ConfigFields(this.#value[key], this.path(key));
  }

  optionalObject(key: string): ConfigFields | undefined {
    return this.has(key) ? this.object(key) : undefined;
  }

  array(key: string): unknown[] {
    const value = this.#value[key];
    if (!Array.isArray(value))
      throw new ConfigError(`${this.path(key)}: ${this.has(key) ? 'must be a list' : 'required'}`);
    return value;
  }

  item(key: string, index: number): ConfigFields {
    return new ConfigFields(this.array(key)[index], `${this.path(key)}[${index}]`);
  }
}

const CURRENCY = /^[A-Za-z0-9_]{1,32}$/;

/** A map of asset or currency code to its decimal places; every value is required (a missing one would show amounts 10^n off). */
export function readScales(scales: ConfigFields | undefined): Record<string, number> {
  const result: Record<string, number> = {};
  for (const code of scales?.keys() ?? []) {
    if (!CURRENCY.test(code)) throw new ConfigError(`${scales?.path(code)}: not a currency or asset code`);
    result[code] = scales?.integer(code, 0, MAX_SCALE) ?? 0;
  }
  return result;
}
