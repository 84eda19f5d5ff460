import { describe, expect, it } from 'vitest';
import { createFormanceConnector } from '../../src/providers/formance/index.ts';
import type { AccountRef } from '../../src/providers/types.ts';
import type { VendorList } from '../../src/relay/sequence.ts';
import {
  FORMANCE_DEMO_CLIENT_ID,
  FORMANCE_DEMO_CLIENT_SECRET,
  startFormanceSimulator,
} from '../../src/simulators/formance/index.ts';
import { withTamperedVendor } from '../helpers/tampered-vendor.ts';
import { walk } from './contract.ts';

/**
 * Formance answers that do not belong to the question: a `$in` lookup answering an account not
 * asked for (a filter the server ignored), and one account (or account and asset) twice in one
 * page. SOURCE_BAD_RESPONSE, never a row taken or silently overwritten.
 */

const SOURCE = 'formance-answers';
const BAD = { code: 'SOURCE_BAD_RESPONSE', sourceName: SOURCE };

describe('formance: answers that do not belong to the question', () => {
  const vendor = withTamperedVendor(startFormanceSimulator, (url) =>
    createFormanceConnector(SOURCE, {
      url,
      auth: { clientId: FORMANCE_DEMO_CLIENT_ID, clientSecret: FORMANCE_DEMO_CLIENT_SECRET },
      timeoutMs: 5_000,
    }),
  );
  const refs = (ledgerId: string, addresses: readonly string[]): AccountRef[] =>
    addresses.map((accountId) => ({ source: SOURCE, ledgerId, accountId }));
  const accountsOf = (ledgerId: string) => vendor.simulator.truth.accounts(ledgerId).map((account) => account.id);
  const cursorData = (body: any, data: unknown[]) => ({ ...body, cursor: { ...body.cursor, data } });

  it('refuses a lookup answer holding an account not asked for, or one account twice', async () => {
    const [first, second, third] = accountsOf('main');
    const asked = refs('main', [first, second] as string[]);
    const lookup = (path: string) => path === '/api/ledger/v2/main/accounts';
    expect((await vendor.connector.getAccounts(asked)).every((result) => !(result instanceof Error))).toBe(true);
    vendor.proxy.tamper = (path, body) =>
      lookup(path) ? cursorData(body, [...body.cursor.data, { ...body.cursor.data[0], address: third }]) : undefined;
    expect(await vendor.connector.getAccounts(asked)).toEqual([
      expect.objectContaining(BAD),
      expect.objectContaining(BAD),
    ]);
    expect(await vendor.connector.getAccountBalances(asked)).toEqual([
      expect.objectContaining(BAD),
      expect.objectContaining(BAD),
    ]);
    vendor.proxy.tamper = (path, body) =>
      lookup(path) ? cursorData(body, [...body.cursor.data, body.cursor.data[0]]) : undefined;
    const [twice] = await vendor.connector.getAccountBalances(asked);
    expect(twice).toMatchObject(BAD);
    expect((twice as Error).message).toMatch(/the answer lists one of its accounts twice$/);
  });

  it('refuses a volumes answer (a ledger without MOVES_HISTORY) with one account and asset twice', async () => {
    const asked = refs('sandbox', accountsOf('sandbox').slice(0, 2));
    const volumes = (path: string) => path === '/api/ledger/v2/sandbox/volumes';
    expect((await vendor.connector.getAccountBalances(asked)).every((result) => !(result instanceof Error))).toBe(true);
    vendor.proxy.tamper = (path, body) =>
      volumes(path) ? cursorData(body, [...body.cursor.data, { ...body.cursor.data[0], balance: 1 }]) : undefined;
    expect(await vendor.connector.getAccountBalances(asked)).toEqual([
      expect.objectContaining(BAD),
      expect.objectContaining(BAD),
    ]);
  });

  it('refuses a history answer holding an account not asked for, or one account and asset twice', async () => {
    const [address] = accountsOf('main');
    const at = [new Date(Date.now() - 1000).toISOString()];
    const request = { account: refs('main', [address as string])[0] as AccountRef, asset: 'USD', at };
    const [honest] = (await vendor.connector.getHistory?.([request])) ?? [];
    expect(honest).not.toBeInstanceOf(Error);
    const volumes = (path: string) => path === '/api/ledger/v2/main/volumes';
    vendor.proxy.tamper = (path, body) =>
      volumes(path) ? cursorData(body, [...body.cursor.data, { ...body.cursor.data[0], balance: 999 }]) : undefined;
    expect(await vendor.connector.getHistory?.([request])).toEqual([expect.objectContaining(BAD)]);
    vendor.proxy.tamper = (path, body) =>
      volumes(path)
        ? cursorData(body, [...body.cursor.data, { ...body.cursor.data[0], account: 'someone:else' }])
        : undefined;
    expect(await vendor.connector.getHistory?.([request])).toEqual([expect.objectContaining(BAD)]);
  });

  it('refuses list pages that hold one account, one balance or one ledger twice', async () => {
    const lists: Record<string, [(path: string) => boolean, () => VendorList<any>]> = {
      accounts: [
        (path) => path === '/api/ledger/main/accounts',
        () => vendor.connector.listAccounts({ source: SOURCE, ledgerId: 'main' }, {}),
      ],
      balances: [
        (path) => path === '/api/ledger/main/balances',
        () => vendor.connector.listBalances({ source: SOURCE, ledgerId: 'main' }, {}),
      ],
      volumes: [
        (path) => path === '/api/ledger/v2/sandbox/volumes',
        () => vendor.connector.listBalances({ source: SOURCE, ledgerId: 'sandbox' }, {}),
      ],
    };
    for (const [name, [page, list]] of Object.entries(lists)) {
      expect((await walk(list(), 'forward', () => 5)).length, name).toBeGreaterThan(0);
      vendor.proxy.tamper = (path, body) =>
        page(path) ? cursorData(body, [body.cursor.data[0], ...body.cursor.data]) : undefined;
      await expect(
        walk(list(), 'forward', () => 5),
        name,
      ).rejects.toMatchObject(BAD);
      vendor.proxy.tamper = null;
    }
    vendor.proxy.tamper = (path, body) => {
      if (path !== '/api/ledger/_info') return undefined;
      const storage = body.data.config.storage;
      return {
        ...body,
        data: {
          ...body.data,
          config: { ...body.data.config, storage: { ...storage, ledgers: [...storage.ledgers, storage.ledgers[0]] } },
        },
      };
    };
    await expect(walk(vendor.connector.listLedgers(), 'forward', () => 5)).rejects.toMatchObject(BAD);
  });
});
