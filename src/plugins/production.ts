import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

const SUGGESTION = / ?Did you mean .*\?$/;

const withoutSuggestion = (error: GraphQLError) =>
  SUGGESTION.test(error.message)
    ? new GraphQLError(error.message.replace(SUGGESTION, ''), {
        nodes: error.nodes,
        source: error.source,
        positions: error.positions,
        path: error.path,
        extensions: error.extensions,
      })
    : error;

/**
 * Errors without graphql-js's "Did you mean …?" hints, which would spell out the schema to a
 * caller that cannot introspect it (production mode): validation errors, and the variable
 * coercion errors execution reports (an input object's misspelled field).
 */
export function useNoSuggestions(): Plugin {
  return {
    onValidate:
      () =>
      ({ result, setResult }) => {
        if (result.length > 0)
          setResult(result.map((error) => (error instanceof GraphQLError ? withoutSuggestion(error) : error)));
      },
    onExecutionResult({ result, setResult }) {
      if (!result || Symbol.asyncIterator in result || !result.errors?.some((error) => SUGGESTION.test(error.message)))
        return;
      setResult({ ...result, errors: result.errors.map(withoutSuggestion) });
    },
  };
}
