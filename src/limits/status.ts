import type { ExecutionResult } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LimitExceededError } from '../errors.ts';

/**
 * One HTTP status per limit whatever the client accepts. Yoga marks every error thrown by the
 * parser as a GraphQL-over-HTTP "request error" (`extensions.http.spec`), which it answers 200
 * under `application/json`; the token and bracket limits are checked in the parser, and would
 * then answer 200 where every other limit answers 400. Their errors are re-made without the mark.
 */
export function useLimitStatus(): Plugin {
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result) || Symbol.asyncIterator in result) return;
      const { errors } = result as ExecutionResult;
      if (!errors?.some(isMarked)) return;
      setResult({
        ...result,
        errors: errors.map((error) =>
          isMarked(error)
            ? new LimitExceededError(error.limit, error.message, (error.extensions.http as { status?: number }).status)
            : error,
        ),
      });
    },
  };
}

function isMarked(error: unknown): error is LimitExceededError {
  return (
    error instanceof LimitExceededError && (error.extensions.http as { spec?: boolean } | undefined)?.spec === true
  );
}
