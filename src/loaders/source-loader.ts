import DataLoader from 'dataloader';
import type { Connector } from '../providers/types.ts';
import { NotFoundError } from '../errors.ts';

/**
 * One batch of a source's keys through its connector: one value or one Error per key, in key order.
 * A throw (a failed call, a capability the connector lacks) fails every key of the batch.
 */
export type BatchLoad<K, V> = (connector: Connector, keys: readonly K[]) => Promise<Array<V | Error>>;

export interface SourceLoaderOptions<K extends { readonly source: string }, V> {
  /** Shown in DataLoader's `name` (and so in traces). */
  readonly name: string;
  readonly connectors: ReadonlyMap<string, Connector>;
  readonly load: BatchLoad<K, V>;
  /** A string that is equal for equal keys. */
  readonly cacheKey: (key: K) => string;
}

/**
 * A per-request DataLoader whose batch is grouped by source: each source's keys go to its own
 * connector in chunks of the connector's `maxBatchSize`, all sources at once, and every key gets
 * one result or one Error back in key order (DataLoader's batch contract). One source failing
 * fails only its own keys.
 */
export function createSourceLoader<K extends { readonly source: string }, V>(
  options: SourceLoaderOptions<K, V>,
): DataLoader<K, V, string> {
  return new DataLoader<K, V, string>(
    async (keys) => {
      const results: Array<V | Error> = new Array(keys.length);
      const groups = new Map<string, number[]>();
      keys.forEach((key, index) => {
        const group = groups.get(key.source);
        if (group) group.push(index);
        else groups.set(key.source, [index]);
      });
      await Promise.all(
        [...groups].map(async ([source, indexes]) => {
          const connector = options.connectors.get(source);
          if (!connector) {
            for (const index of indexes)
              results[index] = new NotFoundError(`no source named "${source}" is configured`);
            return;
          }
          const chunks: number[][] = [];
          for (let start = 0; start < indexes.length; start += connector.maxBatchSize)
            chunks.push(indexes.slice(start, start + connector.maxBatchSize));
          await Promise.all(
            chunks.map(async (chunk) => {
              try {
                const values = await options.load(
                  connector,
                  chunk.map((index) => keys[index] as K),
                );
                if (values.length !== chunk.length)
                  throw new Error(
                    `${options.name}: connector "${source}" returned ${values.length} results for ${chunk.length} keys`,
                  );
                chunk.forEach((index, position) => {
                  results[index] = values[position] as V | Error;
                });
              } catch (error) {
                for (const index of chunk) results[index] = error instanceof Error ? error : new Error(String(error));
              }
            }),
          );
        }),
      );
      return results;
    },
    { name: options.name, cacheKeyFn: options.cacheKey },
  );
}
