import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import { RelayInputError } from './errors.ts';
import type { Position } from './sequence.ts';

/**
 * Opaque Relay cursors. A cursor is `<payload>.<mac>`: the payload is the base64url JSON of a
 * sequence position, and the mac an HMAC-SHA256 over the connection key and the payload. The
 * connection key names the field, its parent and its filter arguments, so a cursor only works on
 * the connection that issued it: one from another connection, another filter, another gateway
 * secret, or one that was edited, fails the check.
 */
export interface CursorCodec {
  encode(connection: string, position: Position): string;
  /** Throws RelayInputError when the cursor was not issued for this connection by this gateway. */
  decode(connection: string, cursor: string): Position;
}

const MAC_BYTES = 16;
const MAX_CURSOR_LENGTH = 4096;
/** Exactly the shape `encode` writes: unpadded base64url payload, a dot, unpadded base64url mac. */
const CURSOR = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;

export function createCursorCodec(secret: string | Buffer): CursorCodec {
  // Imported once: handing createHmac the raw secret would import it again for every cursor.
  const key = createSecretKey(typeof secret === 'string' ? Buffer.from(secret) : secret);
  const mac = (connection: string, payload: string) =>
    createHmac('sha256', key).update(connection).update('\n').update(payload).digest().subarray(0, MAC_BYTES);

  return {
    encode(connection, position) {
      const payload = Buffer.from(JSON.stringify(position)).toString('base64url');
      return `${payload}.${mac(connection, payload).toString('base64url')}`;
    },
    decode(connection, cursor) {
      const invalid = () =>
        new RelayInputError(
          'cursor is not valid for this connection: use a cursor this field returned, with the same arguments',
        );
      if (cursor.length > MAX_CURSOR_LENGTH || !CURSOR.test(cursor)) throw invalid();
      const [payload = '', signature = ''] = cursor.split('.');
      // Compare the mac as text, not decoded: Node's base64url decoder ignores a last character's
      // spare bits and stray characters, so several spellings would decode to the same bytes.
      const given = Buffer.from(signature);
      const expected = Buffer.from(mac(connection, payload).toString('base64url'));
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw invalid();
      try {
        return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Position;
      } catch {
        throw invalid();
      }
    },
  };
}
