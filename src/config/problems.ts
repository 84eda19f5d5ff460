import type { z } from 'zod';

/** A generated file can hold thousands of the same mistake: the first hundred say what to fix. */
const MAX_LINES = 100;

/**
 * The problems of one configuration file, each a field path (`sources[1].auth.apiKey`) and a
 * message that never holds a value. Every check adds to one list, so a start-up reports them all.
 */
export class ConfigProblems {
  readonly #lines: Array<{ path: string; message: string }> = [];

  /** `path` as `fieldPath` writes it; `(root)` for the file itself. */
  add(path: string, message: string): void {
    this.#lines.push({ path: path || '(root)', message });
  }

  /** A line that already starts with its field path (a message from a reader that names its field). */
  addLine(line: string): void {
    const at = line.indexOf(': ');
    this.#lines.push({ path: at < 0 ? '(root)' : line.slice(0, at), message: at < 0 ? line : line.slice(at + 2) });
  }

  /** zod's issues, one line each: an issue with several unknown fields becomes a line per field. */
  addIssues(issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[] = []): void {
    for (const issue of issues) {
      const path = [...prefix, ...issue.path];
      if (issue.code === 'unrecognized_keys')
        for (const key of issue.keys) this.add(fieldPath([...path, key]), issue.message);
      else this.add(fieldPath(path), issue.message);
    }
  }

  get size(): number {
    return this.#lines.length;
  }

  /** Drops the problems at or under `paths`: fields whose value an unset environment variable left unknown. */
  forget(paths: ReadonlySet<string>): void {
    const unknown = (path: string) =>
      [...paths].some((at) => path === at || path.startsWith(`${at}.`) || path.startsWith(`${at}[`));
    const kept = this.#lines.filter((line) => !unknown(line.path));
    this.#lines.splice(0, this.#lines.length, ...kept);
  }

  /** One line per problem; past `MAX_LINES`, one more line says how many were left out. */
  lines(): string[] {
    const shown = [...this.#lines]
      .sort((a, b) => place(a.path) - place(b.path))
      .slice(0, MAX_LINES)
      .map(({ path, message }) => `${path}: ${message}`);
    const hidden = this.#lines.length - shown.length;
    return hidden > 0 ? [...shown, `(root): ${hidden} more problems not shown`] : shown;
  }
}

/** Where a field's block sits in the file, so problems read top to bottom: the file, server, then each source. */
function place(path: string): number {
  const match = /^(server|sources)(?:\[(\d+)\])?/.exec(path);
  if (!match) return 0;
  return match[1] === 'server' ? 1 : 2 + Number(match[2] ?? -1) + 1;
}

/** `['sources', 1, 'auth', 'apiKey']` → `sources[1].auth.apiKey`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else text += text ? `.${String(segment)}` : String(segment);
  }
  return text;
}

/**
 * The message of every issue none of our schemas words itself: by kind of issue only, so zod's
 * own messages, which can quote the value received, never reach a terminal or a log.
 */
export function fallbackMessage(issue: z.core.$ZodRawIssue): string {
  if (issue.input === undefined) return 'required';
  switch (issue.code) {
    case 'invalid_type':
      return `must be ${issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}`;
    case 'unrecognized_keys':
      return 'unknown field';
    case 'too_small':
    case 'too_big':
      return 'is out of range';
    case 'invalid_value':
    case 'invalid_union':
      return 'is not one of the accepted values';
    default:
      return 'is not valid here';
  }
}
