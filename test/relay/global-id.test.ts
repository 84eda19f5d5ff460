import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeGlobalId, encodeGlobalId } from '../../src/relay/global-id.ts';
import { RelayInputError } from '../../src/relay/errors.ts';

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'binary' }),
  fc.constantFrom('users:001', 'a:b:c', '::', '', 'bln_0f9e…', '€', '\ud800', '"]['),
);

function rejected(id: string): boolean {
  try {
    decodeGlobalId(id);
    return false;
  } catch (error) {
    expect(error).toBeInstanceOf(RelayInputError);
    return true;
  }
}

describe('global IDs', () => {
  it('round-trip any type and string parts: unicode, colons, empty strings', () => {
    fc.assert(
      fc.property(text, fc.array(text, { minLength: 1, maxLength: 5 }), (type, parts) => {
        const id = encodeGlobalId(type, parts);
        fc.pre(id.length <= 2048);
        expect(id).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(decodeGlobalId(id)).toEqual({ type, parts });
      }),
    );
  });

  it('keep parts apart that a separator-joined ID would merge', () => {
    const a = encodeGlobalId('Account', ['formance', 'main:users', '001']);
    const b = encodeGlobalId('Account', ['formance', 'main', 'users:001']);
    expect(a).not.toBe(b);
    expect(decodeGlobalId(a).parts).toEqual(['formance', 'main:users', '001']);
    expect(decodeGlobalId(b).parts).toEqual(['formance', 'main', 'users:001']);
  });

  it('is stable: the same node always gets the same ID', () => {
    expect(encodeGlobalId('Ledger', ['formance', 'main'])).toBe(encodeGlobalId('Ledger', ['formance', 'main']));
    expect(encodeGlobalId('Ledger', ['formance', 'main'])).toBe('WyJMZWRnZXIiLCJmb3JtYW5jZSIsIm1haW4iXQ');
  });

  const encode = (json: string) => Buffer.from(json).toString('base64url');

  it.each([
    ['empty', ''],
    ['not base64url', 'WyJMZWRnZXIiLCJmb3JtYW5jZSJd=='],
    ['standard base64 alphabet', 'a+b/'],
    ['not JSON', encode('Ledger:formance')],
    ['a JSON object', encode('{"type":"Ledger"}')],
    ['a JSON string', encode('"Ledger"')],
    ['only a type', encode('["Ledger"]')],
    ['an empty array', encode('[]')],
    ['a number part', encode('["Ledger",1]')],
    ['a null part', encode('["Ledger",null]')],
    ['a nested array', encode('["Ledger",["a"]]')],
    ['over-long', encodeGlobalId('Account', ['formance', 'x'.repeat(2000)])],
    ['plain text', 'hello'],
    ['unicode', 'é'],
  ])('refuses junk: %s', (_label, id) => {
    expect(rejected(id)).toBe(true);
  });

  // Regression: IDs the gateway could not have issued decoded to a real node under a second
  // spelling (spare base64 bits, JSON whitespace), so one node had many IDs and caches split.
  it('refuses every spelling of an ID but the one the gateway issues', () => {
    const issued = encodeGlobalId('Ledger', ['formance', 'main']);
    expect(rejected(encode('[ "Ledger", "formance", "main" ]'))).toBe(true);
    expect(rejected(encode('["Ledger","formance","m\\u0061in"]'))).toBe(true);
    const last = issued.at(-1) ?? '';
    const sibling = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
      .split('')
      .find(
        (character) =>
          character !== last &&
          Buffer.from(issued.slice(0, -1) + character, 'base64url').equals(Buffer.from(issued, 'base64url')),
      );
    expect(sibling).toBeDefined();
    expect(rejected(issued.slice(0, -1) + sibling)).toBe(true);
    expect(decodeGlobalId(issued)).toEqual({ type: 'Ledger', parts: ['formance', 'main'] });
  });

  it('decodes an ID once while it is asked for again: the same frozen value, and an invalid ID refused every time', () => {
    const id = encodeGlobalId('Balance', ['blnk', 'ledger', 'account', 'balance']);
    const first = decodeGlobalId(id);
    expect(decodeGlobalId(id)).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.parts)).toBe(true);
    const invalid = `${id}A`;
    expect(rejected(invalid)).toBe(true);
    expect(rejected(invalid)).toBe(true);
  });

  it('holds at most a million characters of decoded IDs, then starts over', () => {
    const id = encodeGlobalId('Ledger', ['blnk', 'kept']);
    const first = decodeGlobalId(id);
    // 600 IDs of about 1,900 characters each: past the bound, whatever the memo held before.
    for (let index = 0; index < 600; index += 1) {
      const long = encodeGlobalId('Balance', ['blnk', `${index}`.padEnd(1400, 'x'), 'a', 'b']);
      expect(long.length).toBeLessThanOrEqual(2048);
      decodeGlobalId(long);
    }
    const again = decodeGlobalId(id);
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it('refuses random strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 100 }), (id) => {
        expect(rejected(id)).toBe(true);
      }),
    );
  });
});
