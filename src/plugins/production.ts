import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const SUGGESTION = / ?Did you mean .*\?$/;

/**
 * Validation errors without graphql-js's "Did you mean …?" hints, which would spell out the
 * schema to a caller that cannot introspect it (production mode).
 */
export function useNoSuggestions(): Plugin {
  return {
    onValidate: () => ({ result, setResult }) => {
      if (result.length === 0) return;
      setResult(
        result.map((error) =>
          SUGGESTION.test(error.message)
            ? new GraphQLError(error.message.replace(SUGGESTION, ''), { nodes: error.nodes, source: error.source, positions: error.positions, extensions: error.extensions })
            : error,
        ),
      );
    },
  };
}
