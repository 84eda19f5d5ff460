import { describe, expect, it } from 'vitest';
import { UnsupportedBySourceError } from '../../src/errors.ts';
import { createSourceLoader } from '../../src/loaders/source-loader.ts';
import { money } from '../../src/money.ts';
import { capabilitiesOf, methodFor, requireCapability, unsupported } from '../../src/providers/capabilities.ts';
import type { Connector, HistoryRequest } from '../../src/providers/types.ts';

/** A connector stand-in: the required methods are never called here, only the optional ones are looked at. */
function fakeConnector(optional: Partial<Pick<Connector, 'aggregateBalances' | 'getHistory' | 'topUp'>>): Connector {
  return { name: 'fake', kind: 'fake-kind', maxBatchSize: 10, ...optional } as unknown as Connector;
}

describe('capabilities', () => {
  it('derives them from the optional methods, the three list and lookup families always, in schema order', () => {
    expect(capabilitiesOf(fakeConnector({}))).toEqual(['LEDGERS', 'ACCOUNTS', 'BALANCES']);
    const all = fakeConnector({
      topUp: async () => ({ source: 'fake', trx: 't', outcome: 'SUCCESS' }),
      getHistory: async () => [],
      aggregateBalances: async () => [],
    });
    expect(capabilitiesOf(all)).toEqual([
      'LEDGERS',
      'ACCOUNTS',
      'BALANCES',
      'AGGREGATED_BALANCES',
      'HISTORY',
      'TOP_UP',
    ]);
  });

  it('says what a source cannot do in one coded error naming the source and its kind', () => {
    const error = unsupported({ name: 'sms', kind: 'vonage' }, 'HISTORY');
    expect(error).toBeInstanceOf(UnsupportedBySourceError);
    expect(error.message).toBe('source "sms" (vonage) cannot tell past balances');
    expect(error.extensions).toEqual({ code: 'UNSUPPORTED_BY_SOURCE', source: 'sms' });
    expect(unsupported({ name: 'b', kind: 'blnk' }, 'AGGREGATED_BALANCES').message).toBe(
      'source "b" (blnk) cannot sum the balances of a ledger',
    );
    expect(unsupported({ name: 'b', kind: 'blnk' }, 'TOP_UP').message).toBe(
      'source "b" (blnk) cannot top up an account',
    );
    expect(() => requireCapability(fakeConnector({}), 'TOP_UP')).toThrow(
      /^source "fake" \(fake-kind\) cannot top up an account$/,
    );
  });

  it('hands out the method bound to its connector, or throws before any call', async () => {
    const connector = fakeConnector({
      async getHistory(this: Connector, requests: readonly HistoryRequest[]) {
        return requests.map(() => [{ at: this.name, balance: money(0n, 0, 'X') }]);
      },
    });
    const history = methodFor(connector, 'HISTORY');
    expect(await history([{ account: { source: 'fake', ledgerId: 'l', accountId: 'a' }, asset: 'X', at: [] }])).toEqual(
      [[{ at: 'fake', balance: { minorUnits: 0n, scale: 0, asset: 'X' } }]],
    );
    expect(() => methodFor(connector, 'AGGREGATED_BALANCES')).toThrow(UnsupportedBySourceError);
  });

  it('fails each key of a source without the capability through a loader, and no other source', async () => {
    type Key = { source: string; id: string };
    const answering = { ...fakeConnector({ getHistory: async (keys) => keys.map(() => []) }), name: 'a' };
    const lacking = { ...fakeConnector({}), name: 'b' };
    const loader = createSourceLoader<Key, unknown>({
      name: 'test',
      connectors: new Map([
        ['a', answering],
        ['b', lacking],
      ]),
      cacheKey: (key) => `${key.source}|${key.id}`,
      load: (connector, keys) => methodFor(connector, 'HISTORY')(keys as unknown as HistoryRequest[]),
    });
    const results = await Promise.allSettled(['a', 'b', 'b'].map((source, id) => loader.load({ source, id: `${id}` })));
    expect(results[0]).toEqual({ status: 'fulfilled', value: [] });
    for (const result of results.slice(1)) {
      expect((result as PromiseRejectedResult).reason).toMatchObject({
        message: 'source "b" (fake-kind) cannot tell past balances',
        extensions: { code: 'UNSUPPORTED_BY_SOURCE', source: 'b' },
      });
    }
  });
});
