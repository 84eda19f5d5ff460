import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createCursorCodec } from '../../src/relay/cursor.ts';
import { RelayInputError } from '../../src/relay/errors.ts';

const codec = createCursorCodec('test-secret');
const CONNECTION = 'Ledger:formance:main/accounts:{"address":"users:"}';
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
/** Every character a single edit might put in: the cursor alphabet and the characters around it. */
const EDIT_CHARACTERS = `${BASE64URL}.=+/ %\n\u00e9`;

/** The positions the sequences really issue, plus arbitrary JSON. */
const positions = fc.oneof(
  fc.record({ t: fc.option(fc.string(), { nil: null }), i: fc.nat() }),
  fc.record({ o: fc.nat() }),
  fc.record({ k: fc.string(), p: fc.record({ o: fc.nat() }) }),
  fc.jsonValue({ maxDepth: 3 }),
);

function rejected(connection: string, cursor: string): boolean {
  try {
    codec.decode(connection, cursor);
    return false;
  } catch (error) {
    expect(error).toBeInstanceOf(RelayInputError);
    return true;
  }
}

describe('cursor codec', () => {
  it('round-trips any JSON position on its own connection', () => {
    fc.assert(
      fc.property(fc.string(), positions, (connection, position) => {
        expect(codec.decode(connection, codec.encode(connection, position))).toEqual(
          JSON.parse(JSON.stringify(position)),
        );
      }),
    );
  });

  it('issues opaque cursors made of URL-safe characters', () => {
    const cursor = codec.encode(CONNECTION, { t: 'vendor-token', i: 3 });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
    expect(cursor).not.toContain('vendor-token');
  });

  it('refuses a cursor on any other connection', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), positions, (issuedFor, usedOn, position) => {
        fc.pre(issuedFor !== usedOn);
        expect(rejected(usedOn, codec.encode(issuedFor, position))).toBe(true);
      }),
    );
  });

  // Regression: the MAC was compared after a lenient base64url decode, which ignores the spare bits
  // of the last character and any "=" padding, so some edited cursors were still accepted.
  it('refuses every single-character change, insertion and deletion', () => {
    for (const position of [
      { t: null, i: 0 },
      { t: 'eyJvZmZzZXQiOjE1fQ', i: 14 },
      { o: 12345 },
      { k: 'blnk', p: { o: 7 } },
    ]) {
      const cursor = codec.encode(CONNECTION, position);
      for (let index = 0; index <= cursor.length; index += 1) {
        for (const character of EDIT_CHARACTERS) {
          const inserted = cursor.slice(0, index) + character + cursor.slice(index);
          expect(rejected(CONNECTION, inserted), `insert ${JSON.stringify(character)} at ${index}`).toBe(true);
          if (index === cursor.length || cursor[index] === character) continue;
          const replaced = cursor.slice(0, index) + character + cursor.slice(index + 1);
          expect(rejected(CONNECTION, replaced), `replace ${index} by ${JSON.stringify(character)}`).toBe(true);
        }
        if (index < cursor.length)
          expect(rejected(CONNECTION, cursor.slice(0, index) + cursor.slice(index + 1)), `delete ${index}`).toBe(true);
      }
      expect(codec.decode(CONNECTION, cursor)).toEqual(position);
    }
  });

  it('refuses a cursor signed with another secret', () => {
    const other = createCursorCodec('another-secret');
    fc.assert(
      fc.property(positions, (position) => {
        expect(rejected(CONNECTION, other.encode(CONNECTION, position))).toBe(true);
      }),
    );
  });

  it('accepts a Buffer secret like its string form', () => {
    const fromBuffer = createCursorCodec(Buffer.from('test-secret'));
    expect(fromBuffer.decode(CONNECTION, codec.encode(CONNECTION, { o: 1 }))).toEqual({ o: 1 });
  });

  // Regression: the connection key and the payload were joined by "\n" without checking the payload's
  // alphabet, so a cursor issued for connection "A\nB" could be presented on connection "A".
  // "ICAg" is base64 for three spaces, which JSON.parse skips, so the forged cursor decodes cleanly.
  it('does not let the payload absorb part of the connection key', () => {
    const cursor = codec.encode('A\nICAg', { o: 1 });
    const [payload, signature] = cursor.split('.');
    expect(rejected('A', `ICAg\n${payload}.${signature}`)).toBe(true);
  });

  it.each([
    ['empty', ''],
    ['no signature', 'eyJvIjoxfQ'],
    ['empty signature', 'eyJvIjoxfQ.'],
    ['empty payload', '.AAAAAAAAAAAAAAAAAAAAAA'],
    ['three parts', 'eyJvIjoxfQ.AAAAAAAAAAAAAAAAAAAAAA.AAAA'],
    ['a number', '12'],
    ['unicode', 'é.é'],
    ['over-long', `${'A'.repeat(5000)}.AAAAAAAAAAAAAAAAAAAAAA`],
  ])('refuses garbage: %s', (_label, cursor) => {
    expect(rejected(CONNECTION, cursor)).toBe(true);
  });

  it('refuses random strings', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (cursor) => {
        expect(rejected(CONNECTION, cursor)).toBe(true);
      }),
    );
  });

  it('refuses an over-long cursor even when it is correctly signed', () => {
    const cursor = codec.encode(CONNECTION, { t: 'x'.repeat(4000), i: 0 });
    expect(cursor.length).toBeGreaterThan(4096);
    expect(rejected(CONNECTION, cursor)).toBe(true);
  });

  it('says nothing about the cursor or the connection in its error', () => {
    expect(() => codec.decode(CONNECTION, 'secret-looking.value')).toThrow(
      new RelayInputError(
        'cursor is not valid for this connection: use a cursor this field returned, with the same arguments',
      ),
    );
  });
});
