import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/*
 * The size rule of the house, which no linter states: a hand-written file in src/ stays at or
 * under 250 lines, so a file does one thing and a reviewer can hold it in mind. The directions
 * between folders are checked by dependency-cruiser (`.dependency-cruiser.cjs`, run by `npm test`).
 */
const MAX_LINES = 250;
const root = join(import.meta.dirname, '..', 'src');

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return entry.name === 'generated' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('the layout of src/', () => {
  it(`has no hand-written file over ${MAX_LINES} lines`, () => {
    const files = sourceFiles(root);
    expect(files.length).toBeGreaterThan(50);
    const long = files
      .map((file) => ({ file: relative(root, file), lines: readFileSync(file, 'utf8').split('\n').length - 1 }))
      .filter(({ lines }) => lines > MAX_LINES);
    expect(long).toEqual([]);
  });
});
