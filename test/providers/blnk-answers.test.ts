import { beforeAll, describe, expect, it } from 'vitest';
import { createBlnkConnector } from '../../src/providers/blnk/index.ts';
import type { AccountRef, LedgerRef } from '../../src/providers/types.ts';
import type { VendorList } from '../../src/relay/sequence.ts';
import { currencyScales, startBlnkSimulator } from '../../src/simulators/blnk/index.ts';
import { withTamperedVendor } from '../helpers/tampered-vendor.ts';
import { walk } from './contract.ts';

/**
 * Blnk answers that do not belong to the question: one balance twice in a lookup or a list page,
 * and a point-in-time answer for another balance or currency. SOURCE_BAD_RESPONSE for the field
 * that read it (a hostile Blnk in front of the simulator rewrites its answers).
 */

const SOURCE = 'blnk-answers';
const BAD = { code: 'SOURCE_BAD_RESPONSE', sourceName: SOURCE };

describe('blnk: answers that do not belong to the question', () => {
  const vendor = withTamperedVendor(startBlnkSimulator, (url) =>
    createBlnkConnector(SOURCE, { url, currencyScales: { ...currencyScales }, timeoutMs: 5_000 }),
  );
  let ledger: LedgerRef;
  let accounts: AccountRef[];

  beforeAll(() => {
    // Two USD balances of one ledger with small amounts (JSON.parse in the proxy keeps them exact).
    const usd = vendor.simulator.data.balances.filter((item) => item.currency === 'USD');
    const ledgerId = usd[0]?.ledgerId ?? '';
    ledger = { source: SOURCE, ledgerId };
    accounts = usd
      .filter((item) => item.ledgerId === ledgerId)
      .slice(0, 2)
      .map((item) => ({ ...ledger, accountId: item.balanceId }));
    expect(accounts).toHaveLength(2);
  });

  it('refuses a lookup answer that lists one balance twice', async () => {
    expect((await vendor.connector.getAccountBalances(accounts)).every((result) => Array.isArray(result))).toBe(true);
    vendor.proxy.tamper = (path, body) =>
      path === '/balances' && Array.isArray(body) ? [...body, body[0]] : undefined;
    const results = await vendor.connector.getAccountBalances(accounts);
    expect(results).toEqual([expect.objectContaining(BAD), expect.objectContaining(BAD)]);
    expect((results[0] as Error).message).toMatch(/the answer lists one balance_id twice$/);
    expect(await vendor.connector.getAccounts(accounts)).toEqual([
      expect.objectContaining(BAD),
      expect.objectContaining(BAD),
    ]);
  });

  it('refuses list pages that hold one balance or one ledger twice', async () => {
    const lists: Record<string, [string, () => VendorList<any>]> = {
      accounts: ['/balances', () => vendor.connector.listAccounts(ledger, {})],
      balances: ['/balances', () => vendor.connector.listBalances(ledger, {})],
      ledgers: ['/ledgers', () => vendor.connector.listLedgers()],
    };
    for (const [name, [listPath, list]] of Object.entries(lists)) {
      expect((await walk(list(), 'forward', () => 5)).length, name).toBeGreaterThan(1);
      vendor.proxy.tamper = (path, body) =>
        path === listPath && Array.isArray(body) && body.length > 1 ? [body[0], ...body.slice(0, -1)] : undefined;
      await expect(
        walk(list(), 'forward', () => 5),
        name,
      ).rejects.toMatchObject(BAD);
      vendor.proxy.tamper = null;
    }
  });

  it('refuses a point-in-time answer for another balance or in another currency', async () => {
    const [account, other] = accounts as [AccountRef, AccountRef];
    const request = { account, asset: 'USD', at: [new Date(Date.now() - 1000).toISOString()] };
    const [honest] = (await vendor.connector.getHistory?.([request])) ?? [];
    expect(honest).not.toBeInstanceOf(Error);
    const at = (path: string) => path === `/balances/${account.accountId}/at`;
    vendor.proxy.tamper = (path, body) =>
      at(path) ? { ...body, balance: { ...body.balance, balance_id: other.accountId } } : undefined;
    expect(await vendor.connector.getHistory?.([request])).toEqual([expect.objectContaining(BAD)]);
    vendor.proxy.tamper = (path, body) =>
      at(path) ? { ...body, balance: { ...body.balance, currency: 'EUR' } } : undefined;
    expect(await vendor.connector.getHistory?.([request])).toEqual([expect.objectContaining(BAD)]);
  });
});
