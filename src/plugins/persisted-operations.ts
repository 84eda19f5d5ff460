import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { usePersistedOperations } from '@graphql-yoga/plugin-persisted-operations';
import type { GraphQLParams, Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.ts';
import { ConfigError } from '../errors.ts';

/**
 * A key of the file: bare SHA-256 hex (Apollo's manifest style, the file's original format) or
 * `sha256:<hex>`, the GraphQL-over-HTTP persisted-documents identifier that graphql-codegen's
 * client preset (6.x, `persistedDocuments: true`) writes into `persisted-documents.json`.
 */
const FILE_KEY = /^(?:sha256:)?([0-9a-f]{64})$/;

/**
 * Reads a persisted-operations file: a JSON object of SHA-256 hash → operation text, with keys as
 * graphql-codegen's client preset writes them (`sha256:<hex>`) or bare hex. Each hash must be the
 * hash of its text, so a file edited by hand cannot map a known hash to another operation. The
 * map is keyed by bare lowercase hex.
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
  for (const [key, text] of Object.entries(raw)) {
    const hash = FILE_KEY.exec(key)?.[1];
    if (typeof text !== 'string' || hash === undefined)
      throw new ConfigError(
        `${field}: ${path} has an entry that is not a SHA-256 hash ("sha256:<hex>" or hex) → operation text`,
      );
    if (createHash('sha256').update(text).digest('hex') !== hash)
      throw new ConfigError(`${field}: ${path} has an entry whose hash is not the SHA-256 of its operation`);
    operations.set(hash, text);
  }
  if (operations.size === 0) throw new ConfigError(`${field}: ${path} lists no operations`);
  return operations;
}

/** A `documentId` whose prefix is not `sha256:` names no operation of the file. */
const DOCUMENT_ID = /^sha256:([0-9a-fA-F]{64})$/;

/**
 * The id a request names, as bare lowercase hex when it is a SHA-256 one:
 * - `documentId` (GraphQL over HTTP, Appendix A "Persisted Documents"), in a POST body or, for a
 *   GET, in the query string (yoga's GET parser keeps only the four standard parameters);
 * - Apollo's `extensions.persistedQuery { version: 1, sha256Hash }`.
 * Any other string is returned as sent, so it is looked up, not found, and answered
 * PERSISTED_QUERY_NOT_FOUND; null when the request names no document at all.
 */
export function persistedDocumentIdOf(
  params: GraphQLParams & { documentId?: unknown },
  request: Request,
): string | null {
  const documentId =
    params.documentId ?? (request.method === 'GET' ? new URL(request.url).searchParams.get('documentId') : null);
  if (typeof documentId === 'string') return DOCUMENT_ID.exec(documentId)?.[1]?.toLowerCase() ?? documentId;
  const persistedQuery = (params.extensions as { persistedQuery?: { version?: unknown; sha256Hash?: unknown } })
    ?.persistedQuery;
  if (persistedQuery?.version === 1 && typeof persistedQuery.sha256Hash === 'string')
    return persistedQuery.sha256Hash.toLowerCase();
  return null;
}

const ONLY_MESSAGE =
  'this gateway runs persisted operations only: send documentId "sha256:<hex>" or extensions.persistedQuery { version: 1, sha256Hash }';

/**
 * Persisted-operations-only mode: a request names an operation by `documentId` or by Apollo's
 * `extensions.persistedQuery`, and only operations from the file run; any other document is
 * refused before it is parsed.
 */
export function usePersistedOperationsOnly(operations: ReadonlyMap<string, string>): Plugin<GatewayContext> {
  const refused = (code: string, message: string) => ({ message, extensions: { code, http: { status: 400 } } });
  return usePersistedOperations<GatewayContext>({
    allowArbitraryOperations: false,
    extractPersistedOperationId: persistedDocumentIdOf,
    getPersistedOperation: (hash) => operations.get(hash) ?? null,
    customErrors: {
      notFound: refused('PERSISTED_QUERY_NOT_FOUND', 'no persisted operation has this id'),
      keyNotFound: refused('PERSISTED_QUERY_ONLY', ONLY_MESSAGE),
      persistedQueryOnly: refused('PERSISTED_QUERY_ONLY', ONLY_MESSAGE),
    },
  });
}
