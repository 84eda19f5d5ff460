import { describe, expect, it } from 'vitest';
import { createLoaders } from '../../src/loaders/index.ts';
import type { AccountModel, AccountRef, Connector } from '../../src/providers/types.ts';

/** A connector stand-in answering every account it is asked for with the ref itself, counting what it was asked. */
function echoConnector(name: string, asked: AccountRef[]): Connector {
  return {
    name,
    maxBatchSize: 100,
    getAccounts: async (refs: readonly AccountRef[]) => {
      asked.push(...refs);
      return refs.map((ref): AccountModel => ({ ...ref, address: ref.accountId, name: null, metadata: null }));
    },
  } as unknown as Connector;
}

// Issue 14: loader keys are built without JSON.stringify; they must still tell apart every pair of
// refs that differ, whatever separators the ids hold.
describe('loader cache keys', () => {
  it('keeps refs apart whose parts would join into the same text', async () => {
    const asked: AccountRef[] = [];
    const loaders = createLoaders(
      new Map([
        ['s', echoConnector('s', asked)],
        ['s:1', echoConnector('s:1', asked)],
      ]),
    );
    const refs: AccountRef[] = [
      { source: 's', ledgerId: 'a:b', accountId: 'c' },
      { source: 's', ledgerId: 'a', accountId: ':bc' },
      { source: 's', ledgerId: '3:a', accountId: 'bc' },
      { source: 's', ledgerId: '', accountId: '3:abc' },
      { source: 's:1', ledgerId: 'ab', accountId: 'c' },
    ];
    const found = await Promise.all(refs.map((ref) => loaders.accounts.load(ref)));
    expect(found.map(({ ledgerId, accountId }) => [ledgerId, accountId])).toEqual(
      refs.map(({ ledgerId, accountId }) => [ledgerId, accountId]),
    );
    expect(asked).toHaveLength(refs.length);
  });

  it('still joins equal refs into one key', async () => {
    const asked: AccountRef[] = [];
    const loaders = createLoaders(new Map([['s', echoConnector('s', asked)]]));
    await Promise.all([
      loaders.accounts.load({ source: 's', ledgerId: 'l', accountId: 'a' }),
      loaders.accounts.load({ source: 's', ledgerId: 'l', accountId: 'a' }),
    ]);
    expect(asked).toHaveLength(1);
  });
});
