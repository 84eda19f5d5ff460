import { describe, expect, it } from 'vitest';
import { blnkScenarios } from '../bench/scenarios.ts';
import { chosenScenarios } from '../bench/versus-passthrough.ts';

const all = blnkScenarios('ledger-id', ['account-a', 'account-b']);
const names = (chosen: ReadonlyArray<{ name: string }>) => chosen.map((scenario) => scenario.name);

describe('BENCH_SCENARIOS', () => {
  it('keeps every scenario without a filter, or with one of only commas and spaces', () => {
    expect(names(chosenScenarios(all, undefined))).toEqual(names(all));
    expect(names(chosenScenarios(all, ' , '))).toEqual(names(all));
  });

  it('keeps the scenarios whose names hold one of its words, in their own order, ignoring case', () => {
    expect(names(chosenScenarios(all, 'UNSHARED, by id'))).toEqual([
      "blnk: 50 accounts' balances by id",
      'blnk: lists of 50 to 1 balances, unshared',
    ]);
  });

  it('fails, naming the scenarios there are, when it names none', () => {
    expect(() => chosenScenarios(all, 'bogus')).toThrow(
      /BENCH_SCENARIOS="bogus" names none of: blnk: list of 50 balances;/,
    );
  });
});
