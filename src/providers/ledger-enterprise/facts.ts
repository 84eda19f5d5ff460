import { mapWithConcurrency } from '../concurrency.ts';
import { NotFoundError } from '../../errors.ts';
import { operationEndedError } from '../../operation-end.ts';
import { createSharedWork } from '../shared-work.ts';
import type { HttpClient } from '../http/index.ts';
import type { AccountRef } from '../types.ts';
import { isSolanaAsset, readCurrencyScale, type VaultAccount } from './map.ts';

/**
 * What a connector remembers between requests: facts the Vault never changes. An account keeps its
 * currency for life, and a currency keeps its magnitude, so both are cached for the connector's
 * life (bounded), and a currency's scale costs one `GET /accounts/{id}/currency` per connector.
 */

/** The single ledger a Vault workspace is shown as. */
export const LEDGER_ID = 'workspace';

export interface AccountFacts {
  readonly asset: string;
  /** `/balances` answers staking figures only: read the figures from the account instead. */
  readonly solana: boolean;
}

export interface VaultContext {
  readonly client: HttpClient;
  readonly source: string;
  readonly ledgerId: string;
  /** Most vendor calls one batch keeps in flight. */
  readonly concurrency: number;
  readonly facts: BoundedMap<AccountFacts>;
  readonly scales: ScaleCache;
}

/** A Map that forgets its oldest entry past `limit`. */
export class BoundedMap<V> {
  readonly #entries = new Map<string, V>();
  readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }
  get(key: string): V | undefined {
    return this.#entries.get(key);
  }
  set(key: string, value: V): void {
    this.#entries.delete(key);
    this.#entries.set(key, value);
    if (this.#entries.size > this.limit) this.#entries.delete(this.#entries.keys().next().value as string);
  }
  delete(key: string): void {
    this.#entries.delete(key);
  }
}

/** Records what an account read taught about the account. */
export function rememberAccount(context: VaultContext, account: VaultAccount): void {
  const known = context.facts.get(account.id);
  if (known?.asset !== account.asset)
    context.facts.set(account.id, { asset: account.asset, solana: isSolanaAsset(account.asset) });
}

/** Asset scales: known ones, and one in-flight read per unknown asset that concurrent batches share. */
export class ScaleCache {
  readonly #known = new BoundedMap<number>(10_000);
  /** Concurrent reads of one asset's scale, from any operation, share one call (shared-work.ts). */
  #reading: ((asset: string, read: () => Promise<number>) => Promise<number>) | undefined;
  known(asset: string): number | undefined {
    return this.#known.get(asset);
  }
  /** A magnitude learnt elsewhere (a history answer's `currency.magnitude`). */
  remember(asset: string, scale: number): void {
    this.#known.set(asset, scale);
  }
  /** The asset's scale, read through an account holding it when not known yet. */
  get(context: VaultContext, asset: string, accountId: string): Promise<number> {
    const known = this.#known.get(asset);
    if (known !== undefined) return Promise.resolve(known);
    this.#reading ??= createSharedWork((reason) => operationEndedError(context.source, reason));
    // A failure is not remembered: the next read tries again.
    return this.#reading(asset, async () => {
      const scale = await readScale(context, accountId);
      this.#known.set(asset, scale);
      return scale;
    });
  }
}

async function readScale(context: VaultContext, accountId: string): Promise<number> {
  const response = await context.client.json({ method: 'GET', path: `/accounts/${accountId}/currency`, accept: [404] });
  if (response.status === 404) throw accountNotFound(context, accountId);
  return context.client.decode(() => readCurrencyScale(response.body));
}

/** The scales of the accounts' assets: one currency read per unknown asset, concurrently; a failed read is that asset's Error. */
export async function scalesOf(
  context: VaultContext,
  accounts: readonly VaultAccount[],
): Promise<Map<string, number | Error>> {
  const holders = new Map<string, string>();
  for (const account of accounts) if (!holders.has(account.asset)) holders.set(account.asset, account.id);
  const assets = [...holders];
  const scales = await mapWithConcurrency(assets, context.concurrency, ([asset, accountId]) =>
    context.scales.get(context, asset, accountId),
  );
  return new Map(assets.map(([asset], index) => [asset, scales[index] as number | Error]));
}

export function accountNotFound(context: VaultContext, accountId: string): NotFoundError {
  return new NotFoundError(
    `account "${accountId}" was not found in ledger "${context.ledgerId}" of source "${context.source}"`,
    { source: context.source },
  );
}

/** Vault account ids are integers: anything else (or another ledger) cannot name an account here, and is not asked for. */
export function isAskable(context: VaultContext, ref: AccountRef): boolean {
  return (
    ref.ledgerId === context.ledgerId &&
    /^(?:0|[1-9]\d{0,15})$/.test(ref.accountId) &&
    Number.isSafeInteger(Number(ref.accountId))
  );
}
