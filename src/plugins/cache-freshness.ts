import type { Plugin } from 'graphql-yoga';
import { cacheNotesOf, freshnessWanted } from '../providers/cache-notes.ts';
import { currentScope } from '../request-scope.ts';

/**
 * The caller's side of the read cache. Before execution: the standard `Cache-Control` request
 * header (`max-age=N`, `no-cache`) bounds how old a cached vendor read may be for this operation.
 * After: when any read came from a cache, `extensions.cache: { hits, oldest }` (oldest: when the
 * oldest of them was read from the vendor); when any was served stale because its vendor failed,
 * `extensions.warnings`, one `{ code: 'STALE_ANSWER', source, error, observedAt }` per read.
 */
export function useCacheFreshness(): Plugin {
  return {
    onExecute({ args }) {
      const operation = currentScope()?.operation;
      if (operation === undefined) return;
      const request = (args.contextValue as { request?: Request }).request;
      cacheNotesOf(operation).wanted = freshnessWanted(request?.headers.get('cache-control') ?? null);
      return {
        onExecuteDone({ result, setResult }) {
          const notes = cacheNotesOf(operation);
          if ((notes.hits === 0 && notes.stale.length === 0) || !('data' in result)) return;
          const extensions: Record<string, unknown> = { ...result.extensions };
          if (notes.hits > 0) {
            extensions.cache = { hits: notes.hits, oldest: new Date(notes.oldest ?? Date.now()).toISOString() };
          }
          if (notes.stale.length > 0) {
            extensions.warnings = notes.stale.map((warning) => ({
              code: 'STALE_ANSWER',
              source: warning.source,
              error: warning.error,
              observedAt: new Date(warning.observedAt).toISOString(),
            }));
          }
          setResult({ ...result, extensions });
        },
      };
    },
  };
}
