import fc from 'fast-check';
import { isLosslessNumber, parse as parseLossless } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { parseExactJson } from '../../src/providers/exact-json.ts';

/** What a reader makes of a text: its value, or that it refused the text. */
function outcome(read: (text: string) => unknown, text: string): { value: unknown } | { refused: true } {
  try {
    return { value: read(text) };
  } catch {
    return { refused: true };
  }
}

const digits = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: min, maxLength: max });
const integerPart = fc.oneof(
  fc.constant('0'),
  fc.tuple(fc.constantFrom(...'123456789'), digits(0, 40)).map(([first, rest]) => first + rest),
);
/** JSON number tokens: safe and huge integers, fractions (with trailing zeros), exponents, -0. */
const numberToken = fc
  .tuple(
    fc.boolean(),
    integerPart,
    fc.option(digits(1, 25), { nil: undefined }),
    fc.option(fc.tuple(fc.constantFrom('e', 'E'), fc.constantFrom('', '+', '-'), digits(1, 3)), { nil: undefined }),
  )
  .map(
    ([negative, whole, fraction, exponent]) =>
      `${negative ? '-' : ''}${whole}${fraction === undefined ? '' : `.${fraction}`}${exponent === undefined ? '' : exponent.join('')}`,
  );
/** Strings that look like numbers, keys or the rewriting's own NUL marker from the inside. */
const stringValue = fc.oneof(
  fc.string(),
  fc.string({ unit: fc.constantFrom(...'0123456789.eE-+:,[]{}"\\ \u0000\n') }),
  fc.constantFrom('12:30.5,', '2024-02-03T23:04:45.269Z', '\u00001234567890123456789', 'a":1', ''),
);
const space = fc.constantFrom('', ' ', '\n  ', '\t');

/** A JSON text built token by token, so number tokens keep their exact spelling and keys may repeat. */
const { json } = fc.letrec<{ json: string; object: string; array: string }>((tie) => ({
  json: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    numberToken,
    stringValue.map((text) => JSON.stringify(text)),
    fc.constantFrom('true', 'false', 'null'),
    tie('object'),
    tie('array'),
  ),
  object: fc
    .array(fc.tuple(fc.oneof(stringValue, fc.constantFrom('a', 'balance', '__proto__')), tie('json'), space), {
      maxLength: 6,
    })
    .map(
      (entries) =>
        `{${entries.map(([key, value, gap]) => `${gap}${JSON.stringify(key)}${gap}:${gap}${value}`).join(',')}}`,
    ),
  array: fc
    .array(fc.tuple(tie('json'), space), { maxLength: 6 })
    .map((items) => `[${items.map(([value, gap]) => `${gap}${value}${gap}`).join(',')}]`),
}));

describe('parseExactJson', () => {
  it('reads every generated body exactly as lossless-json does, and refuses what it refuses', () => {
    fc.assert(
      fc.property(json, space, (text, gap) => {
        const body = `${gap}${text}${gap}`;
        expect(outcome(parseExactJson, body)).toStrictEqual(outcome(parseLossless, body));
      }),
      { numRuns: 3000 },
    );
  });

  it('reads a Blnk-like list with amounts past 2^53, fractions and exponents digit for digit', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(numberToken, numberToken), { minLength: 1, maxLength: 20 }), (amounts) => {
        const body = `[${amounts.map(([balance, debit]) => `{"balance":${balance},"currency":"USD","created_at":"2024-02-03T23:04:45.269Z","inflight_debit_balance":${debit}}`).join(',')}]`;
        const read = parseExactJson(body) as Array<Record<string, unknown>>;
        expect(read.map((row) => [String(row.balance), String(row.inflight_debit_balance)])).toEqual(amounts);
        expect(read.every((row) => isLosslessNumber(row.balance) && isLosslessNumber(row.inflight_debit_balance))).toBe(
          true,
        );
      }),
    );
  });

  it.each([
    ['a number where a key belongs', '{1:2}'],
    ['a big number where a key belongs', '{123456789012345678901:2}'],
    ['a big number where a later key belongs', '{"a":1,123456789012345678901:2}'],
    ['a fraction where a later key belongs', '{"a":[1],1.50:2}'],
    ['a leading zero', '[01]'],
    ['a bare fraction point', '[1.]'],
    ['a repeated key with another value', '{"a":1,"a":2}'],
    ['a repeated key with a big value', '{"a":12345678901234567890,"a":1}'],
    ['two numbers side by side', '[1.5 2.5]'],
    ['text after the body', '1.5 x'],
  ])('refuses %s, as lossless-json does', (_, text) => {
    expect(() => parseLossless(text)).toThrow();
    expect(() => parseExactJson(text)).toThrow();
  });

  it.each([
    ['a big number in an array', '{"a":[12345678901234567890,1]}'],
    ['a fraction in a nested array', '[[1],[{"b":[2.50]}]]'],
    ['-0 in an array', '[-0]'],
    ['a key holding a safe number after a string that ends like a key', '{"s":"x\\":1.5","n":7}'],
    ['a safe number, then an exponent', '{"a":1,"b":1E+2}'],
    ['a number that is the body', ' 12345678901234567890 '],
  ])('reads %s digit for digit, as lossless-json does', (_, text) => {
    expect(parseExactJson(text)).toStrictEqual(parseLossless(text));
  });

  it('does not take a vendor string holding NUL and digits for a number', () => {
    const body = parseExactJson('{"memo":"\\u000012345678901234567890","n":1.50}') as Record<string, unknown>;
    expect(body.memo).toBe('\u000012345678901234567890');
    expect(String(body.n)).toBe('1.50');
  });
});
