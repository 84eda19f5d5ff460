import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PATTERNS, youngGcFigures } from '../bench/young-gc.ts';

const tool = fileURLToPath(new URL('../bench/young-gc.ts', import.meta.url));

describe('the young-GC patterns bench (bench/young-gc.ts)', () => {
  it('reads --trace-gc-nvp lines: the scavenges after the warm-up ones, their mean promoted and survived bytes, the mark-compacts', () => {
    const scavenge = (promoted: number, survived: number) =>
      `[1:0x1:0]  12 ms: pause=1.0 mutator=3.0 gc=s allocated=100 promoted=${promoted} new_space_survived=${survived} nodes_promoted=0`;
    const trace = [
      scavenge(999, 999), // warm-up, skipped
      scavenge(100, 300),
      '[1:0x1:0]  20 ms: pause=5.0 mutator=1.0 gc=mc reduce_memory=0',
      'a line that is not a GC',
      scavenge(300, 500),
    ].join('\n');
    expect(youngGcFigures(trace, 1)).toEqual({ scavenges: 2, promoted: 200, survived: 400, markCompacts: 1 });
    expect(youngGcFigures('', 1)).toEqual({ scavenges: 0, promoted: 0, survived: 0, markCompacts: 0 });
  });

  it('runs every pattern in a process of its own and prints its figures', () => {
    const output = execFileSync(process.execPath, [tool], {
      encoding: 'utf8',
      env: { ...process.env, BENCH_SECONDS: '0.3' },
    });
    for (const name of Object.keys(PATTERNS))
      expect(output, name).toMatch(
        new RegExp(
          `\\n  ${name} +\\d+ scavenges, promoted +[\\d.]+ MB and survived +[\\d.]+ MB per scavenge, +\\d+ mark-compacts`,
        ),
      );
  }, 30_000);

  it('refuses a pattern it does not have, naming the ones it has', () => {
    expect(() =>
      execFileSync(process.execPath, [tool, '--child', 'no-such-pattern', '10'], { encoding: 'utf8', stdio: 'pipe' }),
    ).toThrow(/no pattern no-such-pattern; the patterns: plain, /);
  });
});
