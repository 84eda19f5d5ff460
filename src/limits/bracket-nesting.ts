/**
 * The deepest nesting of `{`, `[` and `(` outside strings and comments, counted up to `stopAt + 1`
 * (a scan of the text, no recursion: it runs before graphql-js's recursive parser sees the text).
 */
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
