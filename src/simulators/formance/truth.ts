import type { SimulatorTruth, TruthBalance } from '../types.ts';
import { accountsInOrder, volumesBetween, type Ledger } from './data.ts';
import { formatGoTime, parseGoTime, sortedKeys } from './wire.ts';

const ASSET = /^([A-Z][A-Z0-9]{0,16}(?:_[A-Z]{1,16})?)(?:\/(\d{1,6}))?$/;

/**
 * The simulator's state as tests compare against it: ledgers in `/_info` order (creation), accounts
 * address ascending, balances in v1 `/balances` order (account, then asset code as Go sorts map keys).
 */
export function createFormanceTruth(ledgers: readonly Ledger[]): SimulatorTruth {
  const find = (name: string) => ledgers.find((ledger) => ledger.name === name);
  return {
    ledgers: () => ledgers.map((ledger) => ({ id: ledger.name, name: ledger.name })),
    accounts: (ledgerId) => {
      const ledger = find(ledgerId);
      return ledger
        ? accountsInOrder(ledger).map((account) => ({ id: account.address, address: account.address }))
        : [];
    },
    balances: (ledgerId) => {
      const ledger = find(ledgerId);
      if (!ledger) return [];
      return accountsInOrder(ledger).flatMap((account) =>
        sortedKeys(account.volumes).map((code): TruthBalance => {
          const [, asset = code, scale = '0'] = ASSET.exec(code) ?? [];
          const volumes = account.volumes.get(code) ?? { input: 0n, output: 0n };
          return {
            accountId: account.address,
            balanceId: code,
            asset,
            scale: Number(scale),
            total: (volumes.input - volumes.output).toString(),
          };
        }),
      );
    },
  };
}

/** The simulator's books over time, for tests: what `/v2/{ledger}/volumes?endTime=` must answer. */
export interface FormanceHistoryTruth {
  /**
   * The balance of `address` in the Formance asset `asset` (`USD/2`) at `instant` (RFC 3339): the
   * sum of its moves dated at or before it. Null when the account had no move in that asset by then
   * (or does not exist), where the server returns no row.
   */
  balanceAt(ledgerId: string, address: string, asset: string, instant: string): bigint | null;
  /** The account's closing balance in `asset` after each of its moves, oldest first, dated as Go writes dates. */
  timeline(ledgerId: string, address: string, asset: string): Array<{ readonly at: string; readonly balance: bigint }>;
}

export function createFormanceHistoryTruth(ledgers: readonly Ledger[]): FormanceHistoryTruth {
  const account = (ledgerId: string, address: string) =>
    ledgers.find((ledger) => ledger.name === ledgerId)?.accounts.get(address);
  return {
    balanceAt(ledgerId, address, asset, instant) {
      const found = account(ledgerId, address);
      const volumes = found ? volumesBetween(found, asset, null, parseGoTime(instant)) : null;
      return volumes ? volumes.input - volumes.output : null;
    },
    timeline(ledgerId, address, asset) {
      let balance = 0n;
      return (account(ledgerId, address)?.moves.get(asset) ?? []).map(({ posting, isSource }) => {
        balance += isSource ? -posting.amount : posting.amount;
        return { at: formatGoTime(posting.micros), balance };
      });
    },
  };
}
