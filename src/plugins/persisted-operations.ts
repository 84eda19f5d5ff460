import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.ts';
import { ConfigError } from '../errors.ts';

/**
 * Reads a persisted-operations file: a JSON object of SHA-256 hex hash → operation text, as
 * graphql-codegen's client preset writes with `persistedDocuments`. Each hash must be the hash of
 * its text, so a file edited by hand cannot map a known hash to another operation.
 */
export function readPersistedOperations(path: string, field: string): ReadonlyMap<string, string> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    throw new ConfigError(`${field}: cannot read ${path} as JSON`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new ConfigError(`${field}: ${path} must hold an object of hash → operation`);
  const operations = new Map<string, string>();
  for (const [hash, text] of Object.entries(raw)) {
    if (typeof text !== 'string' || !/^[0-9a-f]{64}$/.test(hash))
      throw new ConfigError(`${field}: ${path} has an entry that is not a SHA-256 hex hash → operation text`);
    if (createHash('sha256').update(text).digest('hex') !== hash)
      throw new ConfigError(`${field}: ${path} has an entry whose hash is not the SHA-256 of its operation`);
    operations.set(hash, text);
  }
  if (operations.size === 0) throw new ConfigError(`${field}: ${path} lists no operations`);
  return operations;
}

/**
 * Persisted-operations-only mode: a request names an operation by hash
 * (`extensions.persistedQuery.sha256Hash`, version 1) and only operations from the file run; any
 * other document is refused before it is parsed.
 */
export function usePersistedOperationsOnly(operations: ReadonlyMap<string, string>): Plugin<GatewayContext> {
  const refused = (code: string, message: string) => ({ message, extensions: { code, http: { status: 400 } } });
  return usePersistedOperations<GatewayContext>({
    allowArbitraryOperations: false,
    getPersistedOperation: (hash) => operations.get(hash) ?? null,
    customErrors: {
      notFound: refused('PERSISTED_QUERY_NOT_FOUND', 'no persisted operation has this hash'),
      keyNotFound: refused(
        'PERSISTED_QUERY_ONLY',
        'this gateway runs persisted operations only: send extensions.persistedQuery { version: 1, sha256Hash }',
      ),
      persistedQueryOnly: refused(
        'PERSISTED_QUERY_ONLY',
        'this gateway runs persisted operations only: send extensions.persistedQuery { version: 1, sha256Hash }',
      ),
    },
  });
}
