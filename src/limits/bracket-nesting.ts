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
      const end = block ? closingBlockQuote(text, at + 3) : closingQuote(text, at);
      if (end < 0) break; // an unterminated string: the parser reports it
      at = block ? end + 2 : end;
    } else if (char === '#') {
      // A comment ends at any line terminator: \n, \r or both.
      let end = at + 1;
      while (end < text.length && text[end] !== '\n' && text[end] !== '\r') end += 1;
      at = end;
    } else if (char === '{' || char === '[' || char === '(') {
      depth += 1;
      if (depth > deepest) deepest = depth;
      if (deepest > stopAt) return deepest;
    } else if (char === '}' || char === ']' || char === ')') {
      depth = Math.max(0, depth - 1); // stray closers must not bank depth for what follows
    }
  }
  return deepest;
}

/** The `"""` that ends a block string opened before `from`; `\"""` inside it is an escaped quote, not the end. */
function closingBlockQuote(text: string, from: number): number {
  for (let at = text.indexOf('"""', from); at >= 0; at = text.indexOf('"""', at + 1)) {
    if (text[at - 1] !== '\\') return at;
  }
  return -1;
}

function closingQuote(text: string, from: number): number {
  for (let at = from + 1; at < text.length; at += 1) {
    if (text[at] === '\\') at += 1;
    else if (text[at] === '"' || text[at] === '\n' || text[at] === '\r') return at;
  }
  return -1;
}
