import { RelayInputError } from './errors.ts';

/**
 * Global object IDs: opaque to clients, stable across requests and gateway restarts. An ID is the
 * base64url JSON array `[typename, source, ...vendor ids]`, so it names the type, the configured
 * source and the vendor's own keys without any lookup table.
 */
export interface GlobalId {
  readonly type: string;
  readonly parts: readonly string[];
}

const MAX_ID_LENGTH = 2048;

export function encodeGlobalId(type: string, parts: readonly string[]): string {
  return Buffer.from(JSON.stringify([type, ...parts])).toString('base64url');
}

/**
 * IDs decoded lately, for the clients that ask for the same nodes request after request (a list
 * of 50 by id decodes 50 IDs, each a base64 decode, a JSON parse and the re-encoding that checks
 * its spelling). Only valid IDs enter; the decoded values are frozen. Bounded by the characters of
 * the IDs held: past DECODED_MAX_CHARACTERS the memo starts over, so a caller sending endless new
 * IDs costs at most that much memory.
 */
const decoded = new Map<string, GlobalId>();
const DECODED_MAX_CHARACTERS = 1_000_000;
let decodedCharacters = 0;

/** Decodes an ID; throws RelayInputError for anything this gateway could not have issued. */
export function decodeGlobalId(id: string): GlobalId {
  const known = decoded.get(id);
  if (known !== undefined) return known;
  const value = decodeAnew(id);
  if (decodedCharacters + id.length > DECODED_MAX_CHARACTERS) {
    decoded.clear();
    decodedCharacters = 0;
  }
  decoded.set(id, value);
  decodedCharacters += id.length;
  return value;
}

function decodeAnew(id: string): GlobalId {
  const invalid = () => new RelayInputError('not an ID issued by this gateway');
  if (id.length === 0 || id.length > MAX_ID_LENGTH || !/^[A-Za-z0-9_-]+$/.test(id)) throw invalid();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(id, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(value) || value.length < 2 || !value.every((part) => typeof part === 'string')) throw invalid();
  const [type = '', ...parts] = value as string[];
  // One node, one ID: refuse other spellings of the same value (JSON whitespace or escapes, spare
  // base64 bits), which would otherwise resolve too and split DataLoader caches by spelling.
  if (encodeGlobalId(type, parts) !== id) throw invalid();
  return Object.freeze({ type, parts: Object.freeze(parts) });
}
