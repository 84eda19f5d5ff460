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

/** Decodes an ID; throws RelayInputError for anything this gateway could not have issued. */
export function decodeGlobalId(id: string): GlobalId {
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
  return { type, parts };
}
