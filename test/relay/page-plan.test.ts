import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planPageReads } from '../../src/relay/page-plan.ts';

/** Whether pages of `size` hold `[offset, offset + limit)` in a single page. */
const onePageHolds = (offset: number, limit: number, size: number) =>
  Math.floor(offset / size) === Math.floor((offset + limit - 1) / size);

describe('planPageReads', () => {
  it.each([
    // offset, limit, max, plan
    [0, 20, 100, { size: 20, first: 1, last: 1 }],
    [37, 20, 100, { size: 29, first: 2, last: 2 }], // items 29..57 hold 37..56
    [20, 21, 100, { size: 41, first: 1, last: 1 }],
    [100, 1, 100, { size: 1, first: 101, last: 101 }],
    [150, 100, 100, { size: 100, first: 2, last: 3 }],
    [0, 250, 100, { size: 100, first: 1, last: 3 }], // more than one page can hold
    [7, 5, 10, { size: 6, first: 2, last: 2 }],
    [95, 10, 10, { size: 10, first: 10, last: 11 }], // no size up to 10 holds 95..104 in one page
    [5, 3, 1, { size: 1, first: 6, last: 8 }],
    [0, 1, 1, { size: 1, first: 1, last: 1 }],
  ])('offset %i, limit %i, at most %i per page: %o', (offset, limit, max, plan) => {
    expect(planPageReads(offset, limit, max)).toEqual(plan);
  });

  it('covers the range exactly, never exceeds the maximum, and reads one page when one page can hold the range', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 100_000 }),
        fc.integer({ min: 1, max: 300 }),
        fc.integer({ min: 1, max: 200 }),
        (offset, limit, max) => {
          const { size, first, last } = planPageReads(offset, limit, max);
          expect(size).toBeGreaterThanOrEqual(1);
          expect(size).toBeLessThanOrEqual(max);
          expect(first).toBeLessThanOrEqual(last);
          // The first page holds the range's first item, the last page its last: every item is read, no page is spare.
          expect((first - 1) * size).toBeLessThanOrEqual(offset);
          expect(first * size).toBeGreaterThan(offset);
          expect((last - 1) * size).toBeLessThan(offset + limit);
          expect(last * size).toBeGreaterThanOrEqual(offset + limit);
          const sizes = Array.from({ length: Math.max(0, max - limit + 1) }, (_, index) => limit + index);
          const single = sizes.find((candidate) => onePageHolds(offset, limit, candidate));
          if (single === undefined) expect(size).toBe(max);
          else expect({ size, pages: last - first + 1 }).toEqual({ size: single, pages: 1 });
        },
      ),
      { numRuns: 500 },
    );
  });
});
