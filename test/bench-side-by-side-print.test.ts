import { afterEach, describe, expect, it, vi } from 'vitest';
import { type BenchScenario, type Contender, printSideBySide, type Run } from '../bench/side-by-side.ts';

const scenario: BenchScenario = {
  name: 'blnk: list of 50 balances',
  query: '{ __typename }',
  variables: {},
  balances: () => [],
};
const contender = (label: string): Contender => ({
  label,
  start: () => Promise.reject(new Error('not started in this test')),
});
const run = (perSecond: number, cpuPerRequest: number): Run => ({
  perSecond,
  p50: 10,
  p99: 30,
  peakRss: 200 * 1024,
  amountsOff: 0,
  cpuPerRequest,
});

/** What printSideBySide writes for `rates` (req/s per round) and `cpu` (ms per request), by contender. */
function printed(labels: string[], rates: number[][], cpu: number[]): string {
  const contenders = labels.map(contender);
  const runs = new Map(
    contenders.map((each, index) => [
      `${each.label}\n${scenario.name}`,
      rates[index]!.map((perSecond) => run(perSecond, cpu[index]!)),
    ]),
  );
  const written: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  printSideBySide(runs, contenders, [scenario]);
  vi.restoreAllMocks();
  return written.join('');
}

afterEach(() => vi.restoreAllMocks());

describe('the side-by-side table', () => {
  it('gives two contenders one ratio, the second to the first, from the medians', () => {
    const text = printed(
      ['bare passthrough', 'balance-gateway'],
      [
        [100, 120, 110],
        [200, 260, 220],
      ],
      [1, 0.5],
    );
    expect(text).toContain('ratio balance-gateway ÷ bare passthrough');
    expect(text).toContain(' 2.00x over 3 runs each');
    expect(text).toContain('bare passthrough ÷ balance-gateway: 2.00x');
  });

  it('gives a third contender (BENCH_GATEWAY_FLAGS) its own ratio to the first, beside the second', () => {
    const text = printed(
      ['bare passthrough', 'balance-gateway', 'balance-gateway +flags'],
      [
        [100, 100],
        [250, 250],
        [150, 150],
      ],
      [1, 0.4, 0.8],
    );
    expect(text).toContain('ratio each ÷ bare passthrough');
    expect(text).toContain('balance-gateway: 2.50x, balance-gateway +flags: 1.50x over 2 runs each');
    expect(text).toContain('bare passthrough ÷ each: balance-gateway: 2.50x, balance-gateway +flags: 1.25x');
    expect(text).toMatch(/balance-gateway \+flags\s+p50\s+10\.0 ms\s+p99\s+30\.0 ms \(3\.0× p50\)\s+peak RSS 200 MiB/);
  });
});
