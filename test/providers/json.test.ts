import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  isObject,
  parseLosslessJson,
  readArray,
  readBoolean,
  readInteger,
  readNumberText,
  readObject,
  readOptionalString,
  readSafeInteger,
  readString,
  toPlainJson,
  VendorShapeError,
} from '../../src/providers/json.ts';

const bigIntegers = fc.oneof(
  fc.bigInt({ min: -(10n ** 50n), max: 10n ** 50n }),
  fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n }),
);

describe('parseLosslessJson + readInteger', () => {
  it('reads back any big integer written as a JSON number, exactly', () => {
    fc.assert(
      fc.property(bigIntegers, fc.array(bigIntegers, { maxLength: 5 }), (amount, others) => {
        const body = parseLosslessJson(
          `{"data":{"balances":{"USD/2":${amount},"others":[${others.join(',')}]},"n":1.5}}`,
        );
        const balances = readObject(readObject(readObject(body, 'body').data, 'data').balances, 'balances');
        expect(readInteger(balances['USD/2'], 'USD/2')).toBe(amount);
        expect(readArray(balances.others, 'others').map((value) => readInteger(value, 'other'))).toEqual(others);
      }),
    );
  });

  it('reads back any big integer written as a JSON string, exactly', () => {
    fc.assert(
      fc.property(bigIntegers, (amount) => {
        const body = readObject(parseLosslessJson(`{"balance":"${amount}"}`), 'body');
        expect(readInteger(body.balance, 'balance')).toBe(amount);
      }),
    );
  });

  it('keeps the digits JSON.parse would round', () => {
    const text = '{"balance":9007199254740993}';
    expect(String(JSON.parse(text).balance)).toBe('9007199254740992');
    expect(readInteger(readObject(parseLosslessJson(text), 'body').balance, 'balance')).toBe(9007199254740993n);
  });

  it.each(['1.5', '1e3', '1E3', '-0.0', '1.0'])('refuses the JSON number %s as an integer', (number) => {
    const body = readObject(parseLosslessJson(`{"n":${number}}`), 'body');
    expect(() => readInteger(body.n, 'n')).toThrow(VendorShapeError);
  });

  it.each([['1.5'], ['1e3'], [' 1'], ['+1'], [''], ['0x10'], [true], [null], [undefined], [{}], [[1]], [12]])(
    'refuses %j as an integer',
    (value) => {
      expect(() => readInteger(value, 'n')).toThrow(VendorShapeError);
    },
  );

  it('names the field, never the value, in its error', () => {
    expect(() => readInteger('secret-token-123', 'balance.amount')).toThrow(/^balance\.amount is not an integer$/);
  });
});

describe('readNumberText', () => {
  it.each([
    '10.17127500',
    '0.10',
    '-0.05',
    '1000.00',
    '123456789012345678901234567890.000000000000000001',
    '1e5',
    '-1.5E-7',
    '0',
  ])('keeps the source text of the JSON number %s', (number) => {
    const body = readObject(parseLosslessJson(`{"value":${number}}`), 'body');
    expect(readNumberText(body.value, 'value')).toBe(number);
  });

  it('keeps the source text of any decimal written as a JSON number or a string', () => {
    fc.assert(
      fc.property(bigIntegers, fc.nat({ max: 20 }), fc.boolean(), (digits, places, quoted) => {
        const magnitude = (digits < 0n ? -digits : digits).toString().padStart(places + 1, '0');
        const text = `${digits < 0n ? '-' : ''}${magnitude.slice(0, magnitude.length - places)}${places > 0 ? `.${magnitude.slice(-places)}` : ''}`;
        const body = readObject(parseLosslessJson(`{"value":${quoted ? `"${text}"` : text}}`), 'body');
        expect(readNumberText(body.value, 'value')).toBe(text);
      }),
    );
  });

  it.each(['1000.00', '-0.07', '12'])('accepts the string %j holding a number', (text) => {
    expect(readNumberText(text, 'value')).toBe(text);
  });

  // Regression: strings that Number() accepts but that are no JSON number (" 1", "0x10", "Infinity")
  // got through, and then failed later as a MoneyFormatError that no connector turns into SOURCE_BAD_RESPONSE.
  it.each([
    [''],
    [' '],
    [' 1'],
    ['1 '],
    ['0x10'],
    ['0b1'],
    ['Infinity'],
    ['-Infinity'],
    ['1.'],
    ['.5'],
    ['+1'],
    ['1_0'],
    ['abc'],
    [true],
    [null],
    [{}],
    [12.5],
  ])('refuses %j', (value) => {
    expect(() => readNumberText(value, 'value')).toThrow(VendorShapeError);
  });
});

describe('parseLosslessJson', () => {
  it.each(['', '{', '{"a":1,}', "{'a':1}", 'NaN', '01', '1.', '{"a":1} x', '{"a":1,"a":2}'])(
    'refuses %j with a VendorShapeError that quotes nothing',
    (text) => {
      expect(() => parseLosslessJson(text)).toThrow(new VendorShapeError('body is not valid JSON'));
    },
  );

  it('does not let __proto__ reach the prototype', () => {
    const value = readObject(parseLosslessJson('{"__proto__":{"polluted":true}}'), 'body');
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});

describe('shape readers', () => {
  const body = readObject(
    parseLosslessJson('{"s":"x","b":false,"n":7,"a":[1],"o":{},"z":null,"big":9007199254740993}'),
    'body',
  );

  it('read what they expect', () => {
    expect(readString(body.s, 's')).toBe('x');
    expect(readBoolean(body.b, 'b')).toBe(false);
    expect(readSafeInteger(body.n, 'n')).toBe(7);
    expect(readArray(body.a, 'a')).toHaveLength(1);
    expect(readObject(body.o, 'o')).toEqual({});
    expect(readOptionalString(body.z, 'z')).toBeNull();
    expect(readOptionalString(body.missing, 'missing')).toBeNull();
  });

  it('refuse what they do not expect', () => {
    expect(() => readString(body.n, 'n')).toThrow(VendorShapeError);
    expect(() => readBoolean(body.s, 's')).toThrow(VendorShapeError);
    expect(() => readArray(body.o, 'o')).toThrow(VendorShapeError);
    expect(() => readObject(body.a, 'a')).toThrow(VendorShapeError);
    expect(() => readObject(body.n, 'n')).toThrow(VendorShapeError); // a LosslessNumber is an object to JS, not to JSON
    expect(() => readOptionalString(body.n, 'n')).toThrow(VendorShapeError);
    expect(() => readSafeInteger(body.big, 'big')).toThrow(new VendorShapeError('big is out of range'));
    expect(isObject(body.n)).toBe(false);
  });

  it('turn pass-through data back into plain JSON without losing digits', () => {
    const value = parseLosslessJson('{"a":[1,2.5,9007199254740993,1.0,"s"],"b":{"c":null,"d":true}}');
    // Regression: review of #6 — `1.0` came back as a string while `2.5` was a number.
    expect(toPlainJson(value)).toEqual({ a: [1, 2.5, '9007199254740993', 1, 's'], b: { c: null, d: true } });
  });

  it('keeps a metadata key spelled __proto__ as a key, never as the prototype', () => {
    const plain = toPlainJson(parseLosslessJson('{"__proto__": {"polluted": 1}, "n": 2}')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(plain)).toBe(Object.prototype);
    expect(Object.keys(plain)).toEqual(['__proto__', 'n']);
    expect(JSON.stringify(plain)).toBe('{"__proto__":{"polluted":1},"n":2}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
