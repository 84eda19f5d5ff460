import { fieldPath } from './problems.ts';

/** The file's value with `${NAME}` replaced, and the fields an unset variable left unknown. */
export interface Interpolated {
  readonly value: unknown;
  /** Field path → the first unset variable it names. */
  readonly unset: ReadonlyMap<string, string>;
}

const VARIABLE = /\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g;

/**
 * Replaces `${NAME}` in every string with the environment variable. A field naming an unset one
 * keeps its text and is listed, so it is reported once (naming the variable, never a value) and
 * not again by the checks that would trip over the text. A null becomes undefined: `field: null`
 * (or an empty `field:` in YAML) means the field is left out.
 */
export function interpolate(raw: unknown, env: NodeJS.ProcessEnv): Interpolated {
  const unset = new Map<string, string>();
  const walk = (value: unknown, path: PropertyKey[]): unknown => {
    if (value === null) return undefined;
    if (typeof value === 'string') {
      return value.replace(VARIABLE, (whole, variable: string) => {
        const replacement = env[variable];
        if (replacement !== undefined) return replacement;
        const at = fieldPath(path) || '(root)';
        if (!unset.has(at)) unset.set(at, variable);
        return whole;
      });
    }
    if (Array.isArray(value)) return value.map((item, index) => walk(item, [...path, index]));
    if (typeof value === 'object') {
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item, [...path, key])]));
    }
    return value;
  };
  return { value: walk(raw, []), unset };
}
