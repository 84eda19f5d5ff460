import { isLosslessNumber } from 'lossless-json';
import { MoneyFormatError, parseInteger } from '../money.ts';
import { parseExactJson } from './exact-json.ts';

/**
 * Lossless reading of vendor JSON. Formance and Blnk write amounts as unquoted integers that can
 * pass 2^53, and Vonage writes EUR as a JSON float: `JSON.parse` would round all three. Here every
 * JSON number comes back as its source text (a `LosslessNumber`, read by exact-json.ts), and the
 * `read*` helpers turn it into exactly the type a field needs.
 */

/** A vendor body that does not have the shape the connector expects. Connectors turn it into SOURCE_BAD_RESPONSE. */
export class VendorShapeError extends Error {
  override name = 'VendorShapeError';
}

/** Parses JSON text keeping every number's digits. Throws VendorShapeError for text that is not JSON. */
export function parseLosslessJson(text: string): unknown {
  try {
    return parseExactJson(text);
  } catch {
    throw new VendorShapeError('body is not valid JSON');
  }
}

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !isLosslessNumber(value);
}

export function readObject(value: unknown, what: string): JsonObject {
  if (!isObject(value)) throw new VendorShapeError(`${what} is not an object`);
  return value;
}

export function readArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new VendorShapeError(`${what} is not an array`);
  return value;
}

export function readString(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new VendorShapeError(`${what} is not a string`);
  return value;
}

export function readOptionalString(value: unknown, what: string): string | null {
  return value === undefined || value === null ? null : readString(value, what);
}

export function readBoolean(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') throw new VendorShapeError(`${what} is not a boolean`);
  return value;
}

/** Decimal digits with an optional fraction and exponent: a JSON number, leading zeros allowed. */
const NUMBER_TEXT = /^-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** The exact source text of a JSON number, or of a string holding one. */
export function readNumberText(value: unknown, what: string): string {
  if (isLosslessNumber(value)) return value.toString();
  // Not `Number(value)`: it takes " 1", "0x10" and "Infinity", which no money parser accepts later.
  if (typeof value === 'string' && NUMBER_TEXT.test(value)) return value;
  throw new VendorShapeError(`${what} is not a number`);
}

/**
 * An exact integer from a JSON number (`123456789012345678901`) or an integer string
 * (`"123456789012345678901"`): vendors use both for the same field.
 */
export function readInteger(value: unknown, what: string): bigint {
  const text = isLosslessNumber(value) ? value.toString() : value;
  if (typeof text !== 'string') throw new VendorShapeError(`${what} is not an integer`);
  try {
    return parseInteger(text);
  } catch (error) {
    if (error instanceof MoneyFormatError) throw new VendorShapeError(`${what} is not an integer`);
    throw error;
  }
}

/** A small integer that must fit a JS number exactly (page sizes, counts, versions). */
export function readSafeInteger(value: unknown, what: string): number {
  const integer = readInteger(value, what);
  if (integer > BigInt(Number.MAX_SAFE_INTEGER) || integer < BigInt(Number.MIN_SAFE_INTEGER)) {
    throw new VendorShapeError(`${what} is out of range`);
  }
  return Number(integer);
}

/** Whether two plain decimal texts name the same value (`1.50` and `1.5`); exponent forms compare as written. */
function sameDecimal(a: string, b: string): boolean {
  const normal = (text: string) => (/^-?\d+\.\d+$/.test(text) ? text.replace(/0+$/, '').replace(/\.$/, '') : text);
  return normal(a) === normal(b);
}

/** Converts lossless numbers back to plain JSON values for pass-through data such as metadata. */
export function toPlainJson(value: unknown): unknown {
  if (isLosslessNumber(value)) {
    const text = value.toString();
    const number = Number(text);
    // A number when it holds the same value (`1.50` is 1.5); the exact text when a double would
    // change it (integers past 2^53, long fractions), so metadata never silently loses digits.
    return Number.isFinite(number) && sameDecimal(String(number), text) ? number : text;
  }
  if (Array.isArray(value)) return value.map(toPlainJson);
  if (isObject(value)) {
    // A loop, not fromEntries over mapped entries (three arrays per object): Blnk's list maps the metadata of every balance.
    const plain: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const item = toPlainJson(value[key]);
      // A key spelled __proto__ stays a key, as JSON.parse made it, and does not set the prototype.
      if (key === '__proto__')
        Object.defineProperty(plain, key, { value: item, enumerable: true, writable: true, configurable: true });
      else plain[key] = item;
    }
    return plain;
  }
  return value;
}
