/**
 * Earlier commits of the gateway as source trees for the side-by-side benches (`BENCH_BASELINE=a,b,c`):
 * a detached worktree of each commit in a temporary directory, using this checkout's installed
 * packages, removed again by `remove()`.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface BaselineTrees {
  readonly trees: readonly string[];
  remove(): void;
}

export function checkoutBaselines(here: string, commits: readonly string[]): BaselineTrees {
  const trees = commits.map((commit) => {
    const tree = mkdtempSync(join(tmpdir(), 'bench-baseline-'));
    execFileSync('git', ['-C', here, 'worktree', 'add', '--detach', '--force', tree, commit.trim()], {
      stdio: 'ignore',
    });
    symlinkSync(join(here, 'node_modules'), join(tree, 'node_modules'));
    return tree;
  });
  return {
    trees,
    remove: () => {
      for (const tree of trees) {
        execFileSync('git', ['-C', here, 'worktree', 'remove', '--force', tree], { stdio: 'ignore' });
        rmSync(tree, { recursive: true, force: true });
      }
    },
  };
}

/** A tree's commit, short, with `+` when it has uncommitted changes to tracked files. */
export function labelOf(tree: string): string {
  const commit = execFileSync('git', ['-C', tree, 'rev-parse', '--short', 'HEAD']).toString().trim();
  const changed = execFileSync('git', ['-C', tree, 'status', '--porcelain', '--untracked-files=no']).length > 0;
  return `${commit}${changed ? '+' : ''}`;
}
