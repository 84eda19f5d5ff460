import { describe, expect, it } from 'vitest';
import { parseLosslessJson } from '../../src/providers/json.ts';
import { mapRecordOnce } from '../../src/providers/record-reading.ts';

/** A record's mappings are shared by every reader of its body (src/providers/record-reading.ts). */
describe('mapRecordOnce', () => {
  const body = () => parseLosslessJson('[{"balance_id":"bln_1","balance":12345678901234567890}]') as object[];

  it('maps a record once per name and hands every reader the same frozen model', () => {
    const [record] = body() as [Record<string, unknown>];
    let runs = 0;
    const map = () => {
      runs += 1;
      return { id: record.balance_id, amounts: [String(record.balance)] };
    };
    const first = mapRecordOnce(record, 'account', map);
    const second = mapRecordOnce(record, 'account', map);
    expect(second).toBe(first);
    expect(runs).toBe(1);
    expect(Object.isFrozen(first)).toBe(true);
    expect(first.amounts).toEqual(['12345678901234567890']);
    // Another name is another mapping of the same record.
    expect(mapRecordOnce(record, 'balances', () => ['other'])).toEqual(['other']);
  });

  it('leaves the record as the vendor sent it to everyone else: no key, no JSON, no spread shows the mappings', () => {
    const [record] = body() as [Record<string, unknown>];
    mapRecordOnce(record, 'account', () => ({ id: 'x' }));
    expect(Object.keys(record)).toEqual(['balance_id', 'balance']);
    expect(JSON.stringify(record)).toBe(JSON.stringify(body()[0]));
    expect(Object.keys({ ...record })).toEqual(['balance_id', 'balance']);
  });

  it('keeps no failure: the next reader maps again', () => {
    const [record] = body() as [object];
    let runs = 0;
    const failing = () => {
      runs += 1;
      throw new Error('unreadable');
    };
    expect(() => mapRecordOnce(record, 'account', failing)).toThrow('unreadable');
    expect(() => mapRecordOnce(record, 'account', failing)).toThrow('unreadable');
    expect(runs).toBe(2);
  });

  it('maps a frozen record every time rather than fail', () => {
    const record = Object.freeze({ balance_id: 'bln_2' });
    let runs = 0;
    const map = () => ({ run: ++runs });
    expect(mapRecordOnce(record, 'account', map)).toEqual({ run: 1 });
    expect(mapRecordOnce(record, 'account', map)).toEqual({ run: 2 });
  });
});
