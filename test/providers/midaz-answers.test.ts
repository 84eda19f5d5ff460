import { beforeAll, describe, expect, it } from 'vitest';
import { createMidazConnector } from '../../src/providers/midaz/index.ts';
import type { AccountRef, LedgerRef } from '../../src/providers/types.ts';
import { sequenceOf, type VendorList } from '../../src/relay/sequence.ts';
import {
  MIDAZ_ASSET_SCALES,
  MIDAZ_DEMO_ORGANIZATION_ID,
  startMidazSimulator,
} from '../../src/simulators/midaz/index.ts';
import { withTamperedVendor } from '../helpers/tampered-vendor.ts';
import { walk } from './contract.ts';

/**
 * Midaz answers that do not belong to the question: rows of another account or ledger than asked,
 * and one row listed twice. Each is SOURCE_BAD_RESPONSE for the field that read it, never a row
 * taken as the asked account's (a hostile Midaz in front of the simulator rewrites its answers).
 */

const SOURCE = 'midaz-answers';
const TOKEN = 'midaz-answers-token';
const BAD = { code: 'SOURCE_BAD_RESPONSE', sourceName: SOURCE };

/** The simulator behind a tampering proxy, and the connector through it, for the suite it is called in. */
const hostileMidaz = () =>
  withTamperedVendor(
    () => startMidazSimulator({ token: TOKEN }),
    (url) =>
      createMidazConnector(SOURCE, {
        url,
        organizationId: MIDAZ_DEMO_ORGANIZATION_ID,
        auth: { token: TOKEN },
        assetScales: { ...MIDAZ_ASSET_SCALES },
        timeoutMs: 5_000,
      }),
  );

describe('midaz: answers that do not belong to the question', () => {
  const vendor = hostileMidaz();
  let ledger: LedgerRef;
  let account: AccountRef;
  let other: AccountRef;

  beforeAll(() => {
    const seeded = vendor.simulator.data.accounts.find((item) => item.alias === '@maria_oliveira');
    const neighbour = vendor.simulator.data.accounts.find(
      (item) => item.ledgerId === seeded?.ledgerId && item.alias === '@pedro_lima',
    );
    if (!seeded || !neighbour) throw new Error('seed changed');
    ledger = { source: SOURCE, ledgerId: seeded.ledgerId };
    account = { ...ledger, accountId: seeded.id };
    other = { ...ledger, accountId: neighbour.id };
  });

  const byId = (path: string) => path.endsWith(`/accounts/${account.accountId}`);
  const balancesOf = (path: string) => path.endsWith(`/accounts/${account.accountId}/balances`);

  it('answers as the simulator does when nothing is rewritten, ids in any case', async () => {
    const upper = { ...account, accountId: account.accountId.toUpperCase() };
    const [balances, upperBalances] = await vendor.connector.getAccountBalances([account, upper]);
    expect(Array.isArray(balances) && balances.length).toBeGreaterThan(0);
    expect(upperBalances).toEqual(balances);
    const [found] = await vendor.connector.getAccounts([upper]);
    expect(found).toMatchObject({ accountId: account.accountId });
    expect(
      await vendor.connector.getHistory?.([{ account: upper, asset: 'BRL', at: [new Date().toISOString()] }]),
    ).toEqual([[expect.objectContaining({ balance: expect.objectContaining({ asset: 'BRL' }) })]]);
  });

  it("refuses an account's balances that hold a row of another account, or one row twice", async () => {
    vendor.proxy.tamper = (path, body) =>
      balancesOf(path) ? { ...body, items: [{ ...body.items[0], accountId: other.accountId }] } : undefined;
    const [foreign, neighbour] = await vendor.connector.getAccountBalances([account, other]);
    expect(foreign).toMatchObject(BAD);
    expect((foreign as Error).message).toMatch(/a balance's accountId is not the one asked for$/);
    expect(Array.isArray(neighbour)).toBe(true); // the other account's answer is its own
    vendor.proxy.tamper = (path, body) =>
      balancesOf(path) ? { ...body, items: [body.items[0], body.items[0]] } : undefined;
    const [twice] = await vendor.connector.getAccountBalances([account]);
    expect(twice).toMatchObject(BAD);
    expect((twice as Error).message).toMatch(/the answer lists one of its balances twice$/);
  });

  it('refuses an account read by id that is another account, or in another ledger', async () => {
    vendor.proxy.tamper = (path, body) => (byId(path) ? { ...body, id: other.accountId } : undefined);
    expect(await vendor.connector.getAccounts([account])).toEqual([expect.objectContaining(BAD)]);
    const elsewhere = vendor.simulator.data.ledgers.find((item) => item.id !== ledger.ledgerId)?.id;
    vendor.proxy.tamper = (path, body) => (byId(path) ? { ...body, ledgerId: elsewhere } : undefined);
    expect(await vendor.connector.getAccounts([account])).toEqual([expect.objectContaining(BAD)]);
  });

  it('refuses an account read by alias that has another alias', async () => {
    const list = () => walk(vendor.connector.listAccounts(ledger, { address: '@maria_oliveira' }), 'forward', () => 5);
    expect((await list()).map((item) => item.accountId)).toEqual([account.accountId]);
    vendor.proxy.tamper = (path, body) =>
      path.endsWith('/accounts/alias/@maria_oliveira') ? { ...body, alias: '@pedro_lima' } : undefined;
    await expect(list()).rejects.toMatchObject(BAD);
  });

  it('refuses a ledger read by id that is another ledger', async () => {
    const elsewhere = vendor.simulator.data.ledgers.find((item) => item.id !== ledger.ledgerId)?.id;
    vendor.proxy.tamper = (path, body) =>
      path.endsWith(`/ledgers/${ledger.ledgerId}`) ? { ...body, id: elsewhere } : undefined;
    expect(await vendor.connector.getLedgers([ledger])).toEqual([expect.objectContaining(BAD)]);
  });

  it("refuses list pages holding another ledger's row, or one row twice", async () => {
    const elsewhere = vendor.simulator.data.ledgers.find((item) => item.id !== ledger.ledgerId)?.id;
    const lists: Record<string, () => VendorList<any>> = {
      accounts: () => vendor.connector.listAccounts(ledger, {}),
      balances: () => vendor.connector.listBalances(ledger, {}),
    };
    for (const [name, list] of Object.entries(lists)) {
      const page = (path: string) => path.endsWith(`/ledgers/${ledger.ledgerId}/${name}`);
      vendor.proxy.tamper = (path, body) =>
        page(path)
          ? { ...body, items: [{ ...body.items[0], ledgerId: elsewhere }, ...body.items.slice(1)] }
          : undefined;
      await expect(
        walk(list(), 'forward', () => 5),
        name,
      ).rejects.toMatchObject(BAD);
      vendor.proxy.tamper = (path, body) =>
        page(path) ? { ...body, items: [body.items[0], ...body.items] } : undefined;
      await expect(
        walk(list(), 'forward', () => 5),
        name,
      ).rejects.toMatchObject(BAD);
    }
    vendor.proxy.tamper = (path, body) =>
      path.endsWith('/ledgers') ? { ...body, items: [body.items[0], ...body.items] } : undefined;
    await expect(walk(vendor.connector.listLedgers(), 'forward', () => 5)).rejects.toMatchObject(BAD);
  });

  it('refuses a history answer with a row of another account, or one balance twice (which would count it twice)', async () => {
    const at = [new Date(Date.now() - 1000).toISOString()];
    const history = (path: string) => path.endsWith(`/accounts/${account.accountId}/balances/history`);
    vendor.proxy.tamper = (path, body) =>
      history(path)
        ? [...body, { ...body[0], id: `${body[0].id.slice(0, -4)}ffff`, accountId: other.accountId }]
        : undefined;
    expect(await vendor.connector.getHistory?.([{ account, asset: 'BRL', at }])).toEqual([
      expect.objectContaining(BAD),
    ]);
    vendor.proxy.tamper = (path, body) => (history(path) ? [...body, body[0]] : undefined);
    expect(await vendor.connector.getHistory?.([{ account, asset: 'BRL', at }])).toEqual([
      expect.objectContaining(BAD),
    ]);
  });
});

describe('midaz: one identity for a row, in the walk guard and the duplicate check', () => {
  const vendor = hostileMidaz();
  it('a vendor that ignores the page and flips the case of the ids it repeats is seen at the repeat', async () => {
    const seeded = vendor.simulator.data.accounts[0];
    if (!seeded) throw new Error('seed changed');
    const lists = () => vendor.proxy.paths.filter((path) => /\/accounts\?/.test(path)).length;
    // Every page is the same full page of 100 accounts, whatever `page` asks; every other one in upper case.
    vendor.proxy.tamper = (path, body) => {
      if (!path.endsWith('/accounts')) return undefined;
      const upper = lists() % 2 === 0;
      const items = Array.from({ length: 100 }, (_, index) => {
        const id = `aaaaaaaa-0000-4000-8000-${String(index).padStart(12, '0')}`;
        return { ...body.items[0], id: upper ? id.toUpperCase() : id, alias: `@walker_${index}` };
      });
      return { ...body, items };
    };
    const list = vendor.connector.listAccounts({ source: SOURCE, ledgerId: seeded.ledgerId }, {});
    const read = sequenceOf(list).after(null, 250); // three vendor pages, one walk
    await expect(read).rejects.toMatchObject(BAD);
    expect(lists()).toBe(2);
  });
});
