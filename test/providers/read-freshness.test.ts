import { LosslessNumber } from 'lossless-json';
import { describe, expect, it } from 'vitest';
import { money } from '../../src/money.ts';
import {
  carryFreshness,
  freshnessOf,
  keepFreshness,
  mapUnder,
  markModels,
} from '../../src/providers/read-freshness.ts';

const earlier = { observedAt: 1_000, stale: false };
const later = { observedAt: 2_000, stale: true };

describe('read freshness', () => {
  it("carries a record's freshness into the model mapped from it, and nothing from an unmarked one", () => {
    const record = { id: 'a' };
    markModels(record, earlier);
    const model = carryFreshness(record, { id: 'a', nested: { x: 1 } });
    expect(freshnessOf(model)).toBe(earlier);
    // The model only: what it holds is carried on its own when a later step maps from it.
    expect(freshnessOf(model.nested)).toBeUndefined();
    expect(freshnessOf(carryFreshness({ id: 'b' }, { id: 'b' }))).toBeUndefined();
  });

  it('gives a model mapped under an answer that answer’s freshness, unless its record has its own', () => {
    const marked = { id: 'a' };
    markModels(marked, earlier);
    const [fromBody, fromMarked, kept] = mapUnder(later, () => [
      carryFreshness({ id: 'b' }, { id: 'b' }),
      carryFreshness(marked, { id: 'a' }),
      keepFreshness({ id: 'c' }),
    ]);
    expect(freshnessOf(fromBody!)).toBe(later);
    expect(freshnessOf(fromMarked!)).toBe(earlier);
    expect(freshnessOf(kept!)).toBe(later);
    // Outside the mapping, nothing is at hand again, even after a mapping that threw.
    expect(() =>
      mapUnder(later, () => {
        throw new Error('bad body');
      }),
    ).toThrow('bad body');
    expect(freshnessOf(carryFreshness({ id: 'd' }, { id: 'd' }))).toBeUndefined();
    expect(freshnessOf(keepFreshness({ id: 'e' }))).toBeUndefined();
  });

  it('marks arrays and plain objects, not value objects, and adds no key', () => {
    const amount = money(1n, 2, 'USD');
    const number = new LosslessNumber('12345678901234567890');
    const record = { amount, number };
    const page = [record];
    markModels(page, later);
    expect(freshnessOf(page)).toBe(later);
    expect(freshnessOf(record)).toBe(later);
    expect(freshnessOf(amount)).toBeUndefined();
    expect(freshnessOf(number)).toBeUndefined();
    expect(Object.keys(record)).toEqual(['amount', 'number']);
    expect(JSON.stringify({ ...record, amount: null, number: null })).toBe('{"amount":null,"number":null}');
  });
});
