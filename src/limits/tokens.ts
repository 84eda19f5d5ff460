import { GraphQLError, parse } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LimitExceededError } from '../errors.ts';
import { bracketNesting } from './bracket-nesting.ts';

/**
 * Parses with graphql-js's token cap (`parse(source, { maxTokens })`), so a huge document costs at
 * most `maxTokens` tokens of work and never reaches validation. Yoga caches what this returns or
 * throws per document text, so a repeated document is not parsed (or refused) twice.
 */
export function useTokenLimit(maxTokens: number, maxNesting: number): Plugin {
  // graphql-js's own wording when it stops at the cap ("that" in graphql 16, "than" after). Compared
  // whole: a syntax error quotes the offending token, so a document could put "tokens" in its message.
  const capped = new Set(
    ['that', 'than'].map(
      (word) => `Syntax Error: Document contains more ${word} ${maxTokens} tokens. Parsing aborted.`,
    ),
  );
  return {
    onParse({ setParseFn }) {
      setParseFn((source, options) => {
        // graphql-js parses by recursion: a few thousand nested brackets overflow the stack before
        // the token cap is reached, so nesting is measured on the text first.
        const nesting = bracketNesting(typeof source === 'string' ? source : source.body, maxNesting);
        if (nesting > maxNesting)
          throw new LimitExceededError(
            'depth',
            `the document nests brackets more than ${maxNesting} deep; the limit is ${maxNesting}`,
          );
        try {
          return parse(source, { ...options, maxTokens });
        } catch (error) {
          if (error instanceof GraphQLError && capped.has(error.message)) {
            throw new LimitExceededError(
              'tokens',
              `the document has more than ${maxTokens} tokens; the limit is ${maxTokens}`,
            );
          }
          // Should a nesting the scan missed still overflow the parser's recursion, it is this limit, not a 500.
          if (error instanceof RangeError)
            throw new LimitExceededError(
              'depth',
              `the document nests too deep to parse; the limit is ${maxNesting} brackets`,
            );
          throw error;
        }
      });
    },
  };
}
