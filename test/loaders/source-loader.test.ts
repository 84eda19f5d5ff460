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

  describe('primeLater: a page primes the loader when the request first asks it for anything', () => {
    const page = [
      { key: { source: 'a', id: '1' }, value: 'page/1' },
      { key: { source: 'a', id: '2' }, value: 'page/2' },
      { key: null, value: 'no key' },
    ];
    const primePage = (loader: ReturnType<typeof setup>['loader'], items = page) =>
      loader.primeLater(items, (item, prime) => {
        if (item.key) prime(item.key, item.value);
      });

    it('answers the primed keys without a batch, and loads the others', async () => {
      const { loader, batches } = setup();
      primePage(loader);
      expect(
        await loader.loadMany([
          { source: 'a', id: '2' },
          { source: 'a', id: '1' },
          { source: 'a', id: '3' },
        ]),
      ).toEqual(['page/2', 'page/1', 'a/3']);
      expect(batches).toEqual([['a:3']]);
    });

    it('keeps what was there first, as prime does: an earlier page, a value already loaded', async () => {
      const { loader, batches } = setup();
      expect(await loader.load({ source: 'a', id: '1' })).toBe('a/1');
      primePage(loader);
      primePage(loader, [{ key: { source: 'a', id: '2' }, value: 'later page/2' }]);
      expect(await loader.load({ source: 'a', id: '1' })).toBe('a/1');
      expect(await loader.load({ source: 'a', id: '2' })).toBe('page/2');
      expect(batches).toEqual([['a:1']]);
    });

    it('a key cleared after the page was given is read again; clearAll drops a page not yet applied', async () => {
      const { loader, batches } = setup();
      primePage(loader);
      loader.clear({ source: 'a', id: '1' });
      expect(await loader.load({ source: 'a', id: '1' })).toBe('a/1');
      primePage(loader);
      loader.clearAll();
      expect(await loader.load({ source: 'a', id: '2' })).toBe('a/2');
      expect(batches).toEqual([['a:1'], ['a:2']]);
    });
  });
});
