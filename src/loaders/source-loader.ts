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
): SourceLoader<K, V> {
  return new SourceLoader<K, V>(
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

/**
 * A DataLoader that also takes a whole page of models to prime it with, applied only when the
 * request first asks the loader for anything (load, prime, clear): a list of 50 balances primes
 * the account loader for a later `account` field, and most queries never select one. Applied in
 * the order given, before the call that asked, so what a later read sees is what priming each
 * model at once would have left (prime never replaces a key already there).
 */
export class SourceLoader<K, V> extends DataLoader<K, V, string> {
  #pending: Array<() => void> = [];

  /** Calls `each(item, prime)` for every item when the loader is first needed; `prime` is DataLoader's. */
  primeLater<T>(items: readonly T[], each: (item: T, prime: (key: K, value: V) => void) => void): void {
    this.#pending.push(() => {
      const prime = (key: K, value: V) => void super.prime(key, value);
      for (const item of items) each(item, prime);
    });
  }

  #applyPending(): void {
    if (this.#pending.length === 0) return;
    const pending = this.#pending;
    this.#pending = [];
    for (const apply of pending) apply();
  }

  override load(key: K): Promise<V> {
    this.#applyPending();
    return super.load(key);
  }

  override prime(key: K, value: V | PromiseLike<V> | Error): this {
    this.#applyPending();
    return super.prime(key, value);
  }

  override clear(key: K): this {
    this.#applyPending();
    return super.clear(key);
  }

  override clearAll(): this {
    this.#pending = [];
    return super.clearAll();
  }
}
