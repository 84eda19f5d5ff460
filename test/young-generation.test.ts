import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryCgroup, ENTER } from '../bench/memory-limit.ts';
import { SMALL_LIMIT_BYTES, youngGenerationAdvice } from '../src/young-generation.ts';
import { runCommand, waitFor } from './helpers/cli.ts';

const MiB = 1024 * 1024;
const bin = join(import.meta.dirname, '..', 'bin', 'balance-gateway.js');

describe('youngGenerationAdvice', () => {
  it('advises the flag at a memory limit of 512 MiB or less, and only there', () => {
    expect(youngGenerationAdvice(SMALL_LIMIT_BYTES, [])).toMatch(/512 MiB.*NODE_OPTIONS=--max-semi-space-size=16/);
    expect(youngGenerationAdvice(256 * MiB, ['--enable-source-maps'])).toMatch(/256 MiB/);
    expect(youngGenerationAdvice(SMALL_LIMIT_BYTES + MiB, [])).toBeUndefined();
    // No limit: 0 from older Node, libuv's "unlimited" from newer.
    expect(youngGenerationAdvice(0, [])).toBeUndefined();
    expect(youngGenerationAdvice(17_592_186_044_416, [])).toBeUndefined();
    expect(youngGenerationAdvice(undefined, [])).toBeUndefined();
  });

  it("stays quiet when the operator sized the young generation, in either of Node's spellings", () => {
    expect(youngGenerationAdvice(256 * MiB, ['--max-semi-space-size=8'])).toBeUndefined();
    expect(youngGenerationAdvice(256 * MiB, ['--max_semi_space_size=32'])).toBeUndefined();
    expect(youngGenerationAdvice(256 * MiB, ['--max-semi-space-size'])).toBeUndefined();
    expect(youngGenerationAdvice(256 * MiB, ['--max-old-space-size=200'])).toMatch(/--max-semi-space-size=16/);
  });
});

/** A 512 MiB memory cgroup for the real runs below, or why there is none here. */
function smallCgroup(): { directory: string; remove: () => void } | string {
  if (process.platform !== 'linux') return 'not Linux';
  try {
    return createMemoryCgroup(`balance-gateway-test-${process.pid}`, 512);
  } catch (error) {
    return (error as Error).message;
  }
}
const cgroup = smallCgroup();
const where = typeof cgroup === 'string' ? `(skipped: ${cgroup.split('\n')[0]})` : 'in a real 512 MiB memory cgroup';

describe.runIf(typeof cgroup !== 'string')(`the CLI started ${where}`, () => {
  const start = (nodeOptions: string) => {
    const { directory } = cgroup as { directory: string };
    return runCommand(
      'sh',
      ['-c', ENTER, join(directory, 'cgroup.procs'), process.execPath, bin, '--demo', '--port', '0'],
      {
        NODE_OPTIONS: nodeOptions,
      },
    );
  };

  afterAll(() => (cgroup as { remove: () => void }).remove());

  it('warns that V8 keeps its young generation small, and not once the operator sized it', async () => {
    for (const [nodeOptions, warned] of [
      ['', true],
      ['--max-semi-space-size=16', false],
    ] as const) {
      const gateway = start(nodeOptions);
      try {
        await waitFor(gateway, /listening on http:\/\//);
        const line = gateway
          .output()
          .split('\n')
          .find((text) => text.includes('young generation small'));
        expect(line !== undefined).toBe(warned);
        if (warned) expect(JSON.parse(line!)).toMatchObject({ level: 'warn' });
      } finally {
        gateway.stop();
        await gateway.exited;
      }
    }
  });
});
