import { GraphQLError, parse } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { LimitExceededError } from '../errors.ts';

/**
 * Parses with graphql-js's token cap, so a huge or deeply nested document costs at most
 * `maxTokens` tokens of work and never reaches validation.
 */
export function useTokenLimit(maxTokens: number, maxNesting: number): Plugin {
  return {
    onParse({ setParseFn }) {
      setParseFn((source, options) => {
        // graphql-js parses by recursion: a few thousand nested brackets overflow the stack before
        // the token cap is reached, so nesting is measured on the text first.
        const nesting = bracketNesting(typeof source === 'string' ? source : source.body, maxNesting);
        if (nesting > maxNesting) throw new LimitExceededError('depth', `the document nests brackets more than ${maxNesting} deep; the limit is ${maxNesting}`);
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

/** The deepest nesting of `{`, `[` and `(` outside strings and comments, counted up to `stopAt + 1`. */
export function bracketNesting(text: string, stopAt: number): number {
  let depth = 0;
  let deepest = 0;
  for (let at = 0; at < text.length; at += 1) {
    const char = text[at];
    if (char === '"') {
      const block = text.startsWith('"""', at);
      const end = block ? text.indexOf('"""', at + 3) : closingQuote(text, at);
      if (end < 0) break; // an unterminated string: the parser reports it
      at = block ? end + 2 : end;
    } else if (char === '#') {
      const end = text.indexOf('\n', at);
      if (end < 0) break;
      at = end;
    } else if (char === '{' || char === '[' || char === '(') {
      depth += 1;
      if (depth > deepest) deepest = depth;
      if (deepest > stopAt) return deepest;
    } else if (char === '}' || char === ']' || char === ')') {
      depth -= 1;
    }
  }
  return deepest;
}

function closingQuote(text: string, from: number): number {
  for (let at = from + 1; at < text.length; at += 1) {
    if (text[at] === '\\') at += 1;
    else if (text[at] === '"' || text[at] === '\n') return at;
  }
  return -1;
}
