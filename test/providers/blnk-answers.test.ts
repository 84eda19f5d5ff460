import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createBlnkConnector } from '../../src/providers/blnk/index.ts';
import type { AccountRef, Connector, LedgerRef } from '../../src/providers/types.ts';
import type { VendorList } from '../../src/relay/sequence.ts';
import { currencyScales, startBlnkSimulator, type BlnkSimulatorHandle } from '../../src/simulators/blnk/index.ts';
import { startTamperProxy, type TamperProxy } from '../helpers/tamper-proxy.ts';
import { walk } from './contract.ts';

/**
 * Blnk answers that do not belong to the question: one balance twice in a lookup or a list page,
 * and a point-in-time answer for another balance or currency. SOURCE_BAD_RESPONSE for the field
 * that read it (a hostile Blnk in front of the simulator rewrites its answers).
 */

const SOURCE = 'blnk-answers';
const BAD = { code: 'SOURCE_BAD_RESPONSE', sourceName: SOURCE };

describe('blnk: answers that do not belong to the question', () => {
  let simulator: BlnkSimulatorHandle;
  let proxy: TamperProxy;
  let connector: Connector;
  let ledger: LedgerRef;
  let accounts: AccountRef[];

  beforeAll(async () => {
    simulator = await startBlnkSimulator();
    proxy = await startTamperProxy(simulator.url);
    connector = createBlnkConnector(SOURCE, {
      url: proxy.url,
      currencyScales: { ...currencyScales },
      timeoutMs: 5_000,
    });
    // Two USD balances of one ledger with small amounts (JSON.parse in the proxy keeps them exact).
    const usd = simulator.data.balances.filter((item) => item.currency === 'USD');
    const ledgerId = usd[0]?.ledgerId ?? '';
    ledger = { source: SOURCE, ledgerId };
    accounts = usd
      .filter((item) => item.ledgerId === ledgerId)
      .slice(0, 2)
      .map((item) => ({ ...ledger, accountId: item.balanceId }));
    expect(accounts).toHaveLength(2);
  });
  afterAll(async () => {
    await connector?.close();
    await proxy?.close();
    await simulator?.close();
  });
  beforeEach(() => {
    proxy.tamper = null;
  });

  it('refuses a lookup answer that lists one balance twice', async () => {
    expect((await connector.getAccountBalances(accounts)).every((result) => Array.isArray(result))).toBe(true);
    proxy.tamper = (path, body) => (path === '/balances' && Array.isArray(body) ? [...body, body[0]] : undefined);
    const results = await connector.getAccountBalances(accounts);
    expect(results).toEqual([expect.objectContaining(BAD), expect.objectContaining(BAD)]);
    expect((results[0] as Error).message).toMatch(/the answer lists one balance_id twice$/);
    expect(await connector.getAccounts(accounts)).toEqual([expect.objectContaining(BAD), expect.objectContaining(BAD)]);
  });

  it('refuses list pages that hold one balance or one ledger twice', async () => {
    const lists: Record<string, [string, () => VendorList<any>]> = {
      accounts: ['/balances', () => connector.listAccounts(ledger, {})],
      balances: ['/balances', () => connector.listBalances(ledger, {})],
      ledgers: ['/ledgers', () => connector.listLedgers()],
    };
    for (const [name, [listPath, list]] of Object.entries(lists)) {
      expect((await walk(list(), 'forward', () => 5)).length, name).toBeGreaterThan(1);
      proxy.tamper = (path, body) =>
        path === listPath && Array.isArray(body) && body.length > 1 ? [body[0], ...body.slice(0, -1)] : undefined;
      await expect(
        walk(list(), 'forward', () => 5),
        name,
      ).rejects.toMatchObject(BAD);
      proxy.tamper = null;
    }
  });

  it('refuses a point-in-time answer for another balance or in another currency', async () => {
    const [account, other] = accounts as [AccountRef, AccountRef];
    const request = { account, asset: 'USD', at: [new Date(Date.now() - 1000).toISOString()] };
    const [honest] = (await connector.getHistory?.([request])) ?? [];
    expect(honest).not.toBeInstanceOf(Error);
    const at = (path: string) => path === `/balances/${account.accountId}/at`;
    proxy.tamper = (path, body) =>
      at(path) ? { ...body, balance: { ...body.balance, balance_id: other.accountId } } : undefined;
    expect(await connector.getHistory?.([request])).toEqual([expect.objectContaining(BAD)]);
    proxy.tamper = (path, body) => (at(path) ? { ...body, balance: { ...body.balance, currency: 'EUR' } } : undefined);
    expect(await connector.getHistory?.([request])).toEqual([expect.objectContaining(BAD)]);
  });
});
