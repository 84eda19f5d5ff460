import { describe, expect, it } from 'vitest';
import { createSourceLoader } from '../../src/loaders/source-loader.ts';
import { NotFoundError, SourceError } from '../../src/errors.ts';
import type { Connector } from '../../src/providers/types.ts';

type Key = { source: string; id: string };

/** A connector stand-in with only what the loader reads: its name, batch limit and one batch method. */
function fakeConnector(name: string, maxBatchSize: number, batches: string[][], fail = false): Connector {
  return {
    name,
    maxBatchSize,
    lookup: async (keys: readonly Key[]) => {
      batches.push(keys.map((key) => `${key.source}:${key.id}`));
      if (fail) throw new SourceError('SOURCE_UNAVAILABLE', `source "${name}" failed`, { source: name });
      return keys.map((key) => (key.id === 'missing' ? new NotFoundError('missing') : `${name}/${key.id}`));
    },
  } as unknown as Connector;
}

describe('createSourceLoader', () => {
  const setup = (options: { failB?: boolean } = {}) => {
    const batches: string[][] = [];
    const connectors = new Map([
      ['a', fakeConnector('a', 2, batches)],
      ['b', fakeConnector('b', 10, batches, options.failB)],
    ]);
    const loader = createSourceLoader<Key, string>({
      name: 'test',
      connectors,
      cacheKey: (key) => `${key.source}|${key.id}`,
      load: (connector, keys) =>
        (connector as unknown as { lookup: (keys: readonly Key[]) => Promise<Array<string | Error>> }).lookup(keys),
    });
    return { loader, batches };
  };

  it("groups one tick of keys by source, splits by the connector's maxBatchSize, and de-duplicates", async () => {
    const { loader, batches } = setup();
    const keys = ['1', '2', '3', '1']
      .map((id) => ({ source: 'a', id }))
      .concat([
        { source: 'b', id: 'x' },
        { source: 'b', id: 'y' },
      ]);
    const results = await Promise.all(keys.map((key) => loader.load(key)));
    expect(results).toEqual(['a/1', 'a/2', 'a/3', 'a/1', 'b/x', 'b/y']);
    expect(batches).toEqual([['a:1', 'a:2'], ['a:3'], ['b:x', 'b:y']]);
  });

  it('fails only the keys of a failing source, and only the missing key of a healthy one', async () => {
    const { loader } = setup({ failB: true });
    const results = await Promise.allSettled([
      loader.load({ source: 'a', id: '1' }),
      loader.load({ source: 'a', id: 'missing' }),
      loader.load({ source: 'b', id: 'x' }),
    ]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: 'a/1' });
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(NotFoundError);
    expect((results[2] as PromiseRejectedResult).reason).toMatchObject({ code: 'SOURCE_UNAVAILABLE', sourceName: 'b' });
  });

  it('answers NOT_FOUND for a source that is not configured, without a batch', async () => {
    const { loader, batches } = setup();
    await expect(loader.load({ source: 'gone', id: '1' })).rejects.toBeInstanceOf(NotFoundError);
    expect(batches).toEqual([]);
  });
});
