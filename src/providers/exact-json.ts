import { LosslessNumber, parse as parseLossless } from 'lossless-json';

/**
 * Exact JSON reading at native speed: the same values as lossless-json's `parse` (every number a
 * `LosslessNumber` holding its source text, duplicate keys with different values refused), from
 * V8's `JSON.parse`, with passes of our own over the text where a number needs them.
 *
 * Most vendor bodies hold no number a double could change: only plain integers of at most 15
 * digits, whose double prints as the token itself. One pass over the text's colons (memberScan)
 * counts the object keys and looks at the number each key holds; a walk of what `JSON.parse` made
 * then turns every number into a `LosslessNumber` and counts the keys it finds. Only a body holding
 * another number (past 2^53, fractions whose zeros carry a scale, exponents, `-0`), or a number the
 * scan does not see (in an array, or the body itself), takes the careful pass: it turns each such
 * token into a string holding a NUL and its digits before `JSON.parse`, so no digit is ever rounded.
 *
 * It gives way to lossless-json itself where it cannot vouch for the result: a body spelling
 * `\u0000` (a string that could pose as a rewritten number), or fewer keys after parsing than
 * `"…":` in the text (a repeated key, which lossless-json refuses when the two values differ; a
 * string holding `\":` only costs the fallback). Text that is not JSON stays not JSON: only tokens
 * in a value's place that follow JSON's number grammar are rewritten, so `JSON.parse` refuses the rest.
 */
export function parseExactJson(text: string): unknown {
  if (text.includes('\\u0000')) return parseLossless(text);
  const members = memberScan(text);
  if (members.plain && !TOP_LEVEL_NUMBER.test(text)) {
    const walk: Walk = { keys: 0, numberInArray: false };
    const value = exact(JSON.parse(text), walk);
    // A number in an array escaped the scan: it may have been rounded, so the careful pass reads the text again.
    if (!walk.numberInArray) return walk.keys === members.keys ? value : parseLossless(text);
  }
  const unsafe = unsafeNumbers(text);
  const walk: Walk = { keys: 0, numberInArray: false };
  const value = exact(JSON.parse(unsafe.length === 0 ? text : rewrite(text, unsafe)), walk);
  return walk.keys === members.keys ? value : parseLossless(text);
}

/** A body that is a number by itself. */
const TOP_LEVEL_NUMBER = /^\s*[-\d]/;

/**
 * Every object key ends in `"` + JSON whitespace + `:`, and only rarely does anything else (a
 * string holding `\":`): `keys` counts them, without a match array per key. `plain`: the value
 * after each is no number, or a number a double prints as written (`-?[1-9][0-9]{0,14}` or `0`).
 * A colon inside a string with no quote before it is passed over: no value follows it. One that
 * has (`"a\":1.5"`) only costs the careful pass.
 */
function memberScan(text: string): { keys: number; plain: boolean } {
  let keys = 0;
  let plain = true;
  const length = text.length;
  for (let colon = text.indexOf(':'); colon !== -1; colon = text.indexOf(':', colon + 1)) {
    let before = colon - 1;
    while (before >= 0 && isJsonSpace(text.charCodeAt(before))) before -= 1;
    if (before < 0 || text.charCodeAt(before) !== QUOTE) continue;
    keys += 1;
    if (!plain) continue;
    let at = colon + 1;
    while (at < length && isJsonSpace(text.charCodeAt(at))) at += 1;
    const negative = text.charCodeAt(at) === MINUS;
    const first = negative ? at + 1 : at;
    if (!isDigit(text.charCodeAt(first))) continue;
    let end = first + 1;
    while (end < length && isDigit(text.charCodeAt(end))) end += 1;
    const next = text.charCodeAt(end);
    const negativeZero = negative && end - first === 1 && text.charCodeAt(first) === ZERO;
    plain = end - first <= SAFE_DIGITS && next !== DOT && (next | 0x20) !== LOWER_E && !negativeZero;
  }
  return { keys, plain };
}
const isJsonSpace = (code: number) => code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;
const MINUS = 0x2d;
const PLUS = 0x2b;
const DOT = 0x2e;
const LOWER_E = 0x65;
const ZERO = 0x30;
const NINE = 0x39;
/** Digits of an integer any double holds exactly (2^53 has 16). */
const SAFE_DIGITS = 15;

const isDigit = (code: number) => code >= ZERO && code <= NINE;
const inNumber = (code: number) =>
  isDigit(code) || code === DOT || code === MINUS || code === PLUS || (code | 0x20) === LOWER_E;

/** The start and end of every number token in a value's place that a double may not print as written. */
function unsafeNumbers(text: string): Array<[start: number, end: number]> {
  const unsafe: Array<[number, number]> = [];
  const inObject: boolean[] = [];
  let expectKey = false;
  const length = text.length;
  for (let at = 0; at < length; at += 1) {
    const code = text.charCodeAt(at);
    if (code === QUOTE) {
      at = closingQuote(text, at);
    } else if (code === OPEN_OBJECT) {
      inObject.push(true);
      expectKey = true;
    } else if (code === OPEN_ARRAY) {
      inObject.push(false);
      expectKey = false;
    } else if (code === CLOSE_OBJECT || code === CLOSE_ARRAY) {
      inObject.pop();
      expectKey = false;
    } else if (code === COMMA) {
      expectKey = inObject.at(-1) === true;
    } else if (code === COLON) {
      expectKey = false;
    } else if (code === MINUS || isDigit(code)) {
      const start = at;
      while (at + 1 < length && inNumber(text.charCodeAt(at + 1))) at += 1;
      // A number where a key belongs stays as it is: JSON.parse refuses it, as lossless-json does.
      if (!expectKey && !isSafeInteger(text, start, at + 1) && isJsonNumber(text.slice(start, at + 1)))
        unsafe.push([start, at + 1]);
    }
  }
  return unsafe;
}

/**
 * Where the string opened at `open` ends: the next `"` not escaped, that is, after an even number
 * of backslashes; the text's length when none does. Found with indexOf, not a loop over each of
 * the string's characters: strings are most of a vendor body's text.
 */
function closingQuote(text: string, open: number): number {
  for (let quote = text.indexOf('"', open + 1); quote !== -1; quote = text.indexOf('"', quote + 1)) {
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === BACKSLASH) backslashes += 1;
    if (backslashes % 2 === 0) return quote;
  }
  return text.length;
}

/** `-?[1-9][0-9]{0,14}` or `0`: a token whose double prints as the token itself. */
function isSafeInteger(text: string, start: number, end: number): boolean {
  const first = text.charCodeAt(start) === MINUS ? start + 1 : start;
  const digits = end - first;
  if (digits < 1 || digits > SAFE_DIGITS) return false;
  if (text.charCodeAt(first) === ZERO) return digits === 1 && first === start; // 0, not -0 or 01
  for (let at = first; at < end; at += 1) if (!isDigit(text.charCodeAt(at))) return false;
  return true;
}

const JSON_NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;
const isJsonNumber = (token: string) => JSON_NUMBER.test(token);

/** The text with each unsafe token written as the string NUL + token. */
function rewrite(text: string, unsafe: ReadonlyArray<readonly [number, number]>): string {
  let out = '';
  let from = 0;
  for (const [start, end] of unsafe) {
    out += `${text.slice(from, start)}"\\u0000${text.slice(start, end)}"`;
    from = end;
  }
  return out + text.slice(from);
}

/**
 * A LosslessNumber of a token already known to be a JSON number (JSON.parse read it, or the grammar
 * matched it), without the constructor's second check of the grammar: the same fields, in the same
 * order, on LosslessNumber's own prototype. A constructor function of our own rather than
 * `Object.create` and two stores: V8 gives its instances their final shape at allocation.
 */
const KnownNumber = function KnownNumber(this: LosslessNumber, token: string) {
  this.value = token;
  this.isLosslessNumber = true;
} as unknown as new (
  token: string,
) => LosslessNumber;
KnownNumber.prototype = LosslessNumber.prototype;

const losslessNumber = (token: string): LosslessNumber => new KnownNumber(token);

interface Walk {
  /** Object keys found. */
  keys: number;
  /** Whether an array holds a number: memberScan looks only at the values of keys. */
  numberInArray: boolean;
}

/** Whether a parsed value needs the walk: an object or array to descend, a number, a rewritten token. */
const needsWalk = (value: unknown) =>
  typeof value === 'object'
    ? value !== null
    : typeof value === 'number' || (typeof value === 'string' && value.charCodeAt(0) === 0);

/**
 * Every number (and rewritten token) as a LosslessNumber, counting object keys on the way: with
 * `for…in`, which makes no array of names per object, and writing back only what changes.
 */
function exact(value: unknown, walk: Walk): unknown {
  if (typeof value === 'number') return losslessNumber(String(value));
  if (typeof value === 'string') return value.charCodeAt(0) === 0 ? losslessNumber(value.slice(1)) : value;
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index += 1) {
      const item: unknown = value[index];
      if (typeof item === 'number') walk.numberInArray = true;
      if (needsWalk(item)) value[index] = exact(item, walk);
    }
    return value;
  }
  const object = value as Record<string, unknown>;
  for (const name in object) {
    walk.keys += 1;
    const item = object[name];
    if (needsWalk(item)) object[name] = exact(item, walk);
  }
  return object;
}
