import { z } from 'zod';
import { MAX_SCALE } from './money.ts';

/*
 * The building blocks of the configuration's zod schemas. Each sets its own messages: a message
 * names what the field must be and never quotes the value (it may be a secret), and a field left
 * out (or null) reads `required`. The schemas hold no transform, so `z.toJSONSchema` renders them
 * whole; the only preprocessing turns the text an environment variable gave (`"${PORT}"` →
 * `"8080"`) into the number or boolean the field holds.
 */

/** A message for an absent field, or the given one: never built from the value. */
const orRequired =
  (message: string) =>
  (issue: { input?: unknown }): string =>
    issue.input === undefined ? 'required' : message;

const DIGITS = /^-?\d+$/;

/** An integer from `min` to `max`; digits from an environment variable count. */
export function integer(min: number, max: number) {
  const message = `must be an integer from ${min} to ${max}`;
  return z.preprocess(
    (value) => (typeof value === 'string' && DIGITS.test(value) ? Number(value) : value),
    z
      .int({ error: orRequired(message) })
      .min(min, message)
      .max(max, message),
  );
}

/** `true` or `false`; the same words from an environment variable count. */
export function flag() {
  return z.preprocess(
    (value) => (value === 'true' ? true : value === 'false' ? false : value),
    z.boolean({ error: orRequired('must be true or false') }),
  );
}

/** A non-empty string of at least `minLength` characters. */
export function text(minLength = 1) {
  const nonEmpty = 'must be a non-empty string';
  const schema = z.string({ error: orRequired(nonEmpty) }).min(1, { error: nonEmpty, abort: true });
  return minLength > 1 ? schema.min(minLength, `must be at least ${minLength} characters`) : schema;
}

/** Text matching `pattern`; `message` says what it must be. */
export function matching(pattern: RegExp, message: string) {
  return text().regex(pattern, message);
}

/** One of `values`, the message listing them. */
export function oneOf<const T extends readonly [string, ...string[]]>(values: T, message?: string) {
  return z.enum(values, { error: orRequired(message ?? `must be one of ${values.join(', ')}`) });
}

/** Why `value` is no usable vendor URL, or undefined: an absolute http(s) URL, credentials and query kept out. */
export function urlProblem(value: string): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'must be an absolute http or https URL';
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return 'must be an absolute http or https URL';
  if (url.username || url.password) return 'put credentials under auth, not in the URL';
  if (url.search || url.hash) return 'must not carry a query string or fragment';
  return undefined;
}

/** An absolute http or https URL without credentials, query or fragment (the JSON Schema says `^https?://`). */
export function httpUrl() {
  return text()
    .superRefine((value, context) => {
      const problem = urlProblem(value);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    })
    .meta({ pattern: '^[Hh][Tt][Tt][Pp][Ss]?://' });
}

/** A list of `item`. */
export function list<T extends z.ZodType>(item: T) {
  return z.array(item, { error: orRequired('must be a list') });
}

/**
 * An object of exactly these fields: any other is refused, since it is nearly always a typo
 * (one line per unknown field, listing the known ones).
 */
export function strict<const Shape extends z.ZodRawShape>(shape: Shape) {
  const known = Object.keys(shape).join(', ');
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `unknown field (expected one of ${known})`
        : orRequired('must be an object')(issue),
  });
}

const CURRENCY = /^[A-Za-z0-9_]{1,32}$/;

/** A map of asset or currency code to its decimal places; every value is required (a missing one would show amounts 10^n off). */
export function scales() {
  return z.record(z.string().regex(CURRENCY), integer(0, MAX_SCALE), {
    error: (issue) =>
      issue.code === 'invalid_key' ? 'not a currency or asset code' : orRequired('must be an object')(issue),
  });
}

/** A URL `httpUrl` passed, in the form sources keep it: without trailing slashes. */
export function trimmedUrl(value: string): string {
  return value.replace(/\/+$/, '');
}
