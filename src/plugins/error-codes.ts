import { GraphQLError } from 'graphql';
import type { Plugin } from 'graphql-yoga';

/**
 * Every error a client sees carries `extensions.code`. graphql-js reports some request errors
 * with none: variables of the wrong type, an unknown `operationName`. Those are the caller's
 * input, so they get BAD_USER_INPUT (yoga already codes parse and validation errors, and masks
 * everything unexpected as INTERNAL_SERVER_ERROR).
 */
export function useErrorCodes(): Plugin {
  return {
    onExecutionResult({ result, setResult }) {
      if (
        !result ||
        Symbol.asyncIterator in result ||
        !result.errors?.some((error) => error.extensions?.code === undefined)
      )
        return;
      setResult({
        ...result,
        errors: result.errors.map((error) =>
          error.extensions?.code === undefined
            ? new GraphQLError(error.message, {
                nodes: error.nodes,
                source: error.source,
                positions: error.positions,
                path: error.path,
                extensions: { ...error.extensions, code: 'BAD_USER_INPUT' },
              })
            : error,
        ),
      });
    },
  };
}
