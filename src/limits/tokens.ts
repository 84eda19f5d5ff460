import { GraphQLError, parse } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LimitExceededError } from '../errors.ts';

/**
 * Parses with graphql-js's token cap, so a huge or deeply nested document costs at most
 * `maxTokens` tokens of work and never reaches validation.
 */
export function useTokenLimit(maxTokens: number): Plugin {
  return {
    onParse({ setParseFn }) {
      setParseFn((source, options) => {
        try {
          return parse(source, { ...options, maxTokens });
        } catch (error) {
          if (error instanceof GraphQLError && error.message.includes('tokens')) {
            throw new LimitExceededError('tokens', `the document has more than ${maxTokens} tokens; the limit is ${maxTokens}`);
          }
          throw error;
        }
      });
    },
  };
}
