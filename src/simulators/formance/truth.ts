import type { SimulatorTruth, TruthBalance } from '../types.ts';
import { accountsInOrder, type Ledger } from './data.ts';
import { sortedKeys } from './wire.ts';

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
      return ledger ? accountsInOrder(ledger).map((account) => ({ id: account.address, address: account.address })) : [];
    },
    balances: (ledgerId) => {
      const ledger = find(ledgerId);
      if (!ledger) return [];
      return accountsInOrder(ledger).flatMap((account) =>
        sortedKeys(account.volumes).map((code): TruthBalance => {
          const [, asset = code, scale = '0'] = ASSET.exec(code) ?? [];
          const volumes = account.volumes.get(code) ?? { input: 0n, output: 0n };
          return { accountId: account.address, balanceId: code, asset, scale: Number(scale), total: (volumes.input - volumes.output).toString() };
        }),
      );
    },
  };
}
