import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decimalPlaces,
  formatDecimal,
  MAX_SCALE,
  money,
  MoneyFormatError,
  parseDecimal,
  parseInteger,
} from '../src/money.ts';

/** Integers far beyond 2^53 in both directions (up to ~10^60), plus the small ones around zero. */
const amounts = fc.oneof(fc.bigInt({ min: -(10n ** 60n), max: 10n ** 60n }), fc.bigInt({ min: -1000n, max: 1000n }));
const scales = fc.integer({ min: 0, max: MAX_SCALE });

describe('formatDecimal / parseDecimal', () => {
  it('round-trips any integer amount at any scale', () => {
    fc.assert(
      fc.property(amounts, scales, (minorUnits, scale) => {
        const text = formatDecimal(minorUnits, scale);
        expect(parseDecimal(text, scale)).toBe(minorUnits);
        // The text is in canonical form: exactly `scale` decimals, a sign only when negative.
        expect(decimalPlaces(text)).toBe(scale);
        expect(text.startsWith('-')).toBe(minorUnits < 0n);
      }),
    );
  });

  it("gives a Money's amount as its decimal text, the same string on every read, and no key of its own", () => {
    fc.assert(
      fc.property(amounts, scales, (minorUnits, scale) => {
        const value = money(minorUnits, scale, 'XTS');
        expect(value.amount).toBe(formatDecimal(minorUnits, scale));
        expect(parseDecimal(value.amount, scale)).toBe(minorUnits);
        expect(value.amount).toBe(value.amount);
        expect(Object.keys(value)).toEqual(['minorUnits', 'scale', 'asset']);
      }),
    );
  });

  it('reads back a decimal written with more zeros than the scale needs', () => {
    fc.assert(
      fc.property(
        amounts,
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 6 }),
        (minorUnits, scale, zeros) => {
          const text = formatDecimal(minorUnits, scale);
          const padded = scale === 0 ? `${text}.${'0'.repeat(zeros)}` : `${text}${'0'.repeat(zeros)}`;
          expect(parseDecimal(padded, scale)).toBe(minorUnits);
        },
      ),
    );
  });

  it('refuses a decimal that would need rounding at the scale', () => {
    fc.assert(
      fc.property(
        amounts,
        fc.integer({ min: 0, max: 30 }),
        fc.integer({ min: 1, max: 9 }),
        (minorUnits, scale, digit) => {
          const text = `${formatDecimal(minorUnits, scale)}${scale === 0 ? '.' : ''}${digit}`;
          expect(() => parseDecimal(text, scale)).toThrow(MoneyFormatError);
        },
      ),
    );
  });

  it.each([
    ['12.34', 2, 1234n],
    ['-0.05', 2, -5n],
    ['-0.07', 2, -7n],
    ['10.5', 2, 1050n],
    ['1000', 2, 100000n],
    ['1.230', 2, 123n],
    ['1.2300000', 2, 123n],
    ['7', 0, 7n],
    ['7.000', 0, 7n],
    ['0', 0, 0n],
    ['-0', 2, 0n],
    ['123456789012345678901234567890.123456789012345678', 18, 123456789012345678901234567890123456789012345678n],
  ])('parses %s at scale %i', (text, scale, expected) => {
    expect(parseDecimal(text, scale)).toBe(expected);
  });

  it.each([
    ['1.235', 2],
    ['0.001', 2],
    ['1.5', 0],
    ['1e5', 2],
    ['1E5', 2],
    ['0x10', 2],
    [' 1', 2],
    ['1 ', 2],
    ['1\n', 2],
    ['1.', 2],
    ['.5', 2],
    ['--1', 2],
    ['+1', 2],
    ['-', 2],
    ['', 2],
    ['1,5', 2],
    ['1_000', 2],
    ['١٢', 2], // Arabic-Indic digits are digits to Unicode, not to money
    ['NaN', 2],
    ['Infinity', 2],
  ])('refuses %j at scale %i', (text, scale) => {
    expect(() => parseDecimal(text, scale)).toThrow(MoneyFormatError);
  });

  it.each([
    [-5n, 2, '-0.05'],
    [5n, 2, '0.05'],
    [-1234n, 2, '-12.34'],
    [0n, 2, '0.00'],
    [0n, 0, '0'],
    [-7n, 0, '-7'],
    [1n, 36, `0.${'0'.repeat(35)}1`],
    [2n ** 64n, 8, '184467440737.09551616'],
  ])('formats %s at scale %i as %s', (minorUnits, scale, expected) => {
    expect(formatDecimal(minorUnits, scale)).toBe(expected);
  });

  it.each([-1, 37, 1.5, Number.NaN, Number.POSITIVE_INFINITY])('refuses scale %s everywhere', (scale) => {
    expect(() => parseDecimal('1', scale)).toThrow(MoneyFormatError);
    expect(() => formatDecimal(1n, scale)).toThrow(MoneyFormatError);
    expect(() => money(1n, scale, 'USD')).toThrow(MoneyFormatError);
  });
});

describe('parseInteger', () => {
  it('round-trips any integer through its decimal text', () => {
    fc.assert(
      fc.property(amounts, (value) => {
        expect(parseInteger(value.toString())).toBe(value);
      }),
    );
  });

  it.each(['1.5', '1e3', '0x10', ' 1', '+1', '', '-', '1.0', '١'])('refuses %j', (text) => {
    expect(() => parseInteger(text)).toThrow(MoneyFormatError);
  });
});

describe('decimalPlaces', () => {
  it.each([
    ['10.50', 2],
    ['7', 0],
    ['-0.001', 3],
  ])('counts the places of %s', (text, places) => {
    expect(decimalPlaces(text)).toBe(places);
  });

  it('refuses junk', () => {
    expect(() => decimalPlaces('1e5')).toThrow(MoneyFormatError);
  });
});

describe('money', () => {
  it('builds a value', () => {
    expect(money(1234n, 2, 'USD')).toEqual({ minorUnits: 1234n, scale: 2, asset: 'USD' });
  });
});
