import { beforeAll, describe, expect, it } from 'vitest';
import { createLedgerEnterpriseConnector } from '../../src/providers/ledger-enterprise/index.ts';
import type { AccountRef, LedgerRef } from '../../src/providers/types.ts';
import {
  LEDGER_ENTERPRISE_LEDGER_ID,
  startLedgerEnterpriseSimulator,
} from '../../src/simulators/ledger-enterprise/index.ts';
import { withTamperedVendor } from '../helpers/tampered-vendor.ts';
import { walk } from './contract.ts';

/**
 * Ledger Enterprise answers that do not belong to the question: an account read by id that is
 * another account, and one account twice in a search page. SOURCE_BAD_RESPONSE, never the other
 * account's figures under the asked account's id.
 */

const SOURCE = 'le-answers';
const API_USER = 'le-answers-user';
const API_KEY = 'le-answers-key';
const BAD = { code: 'SOURCE_BAD_RESPONSE', sourceName: SOURCE };

describe('ledger-enterprise: answers that do not belong to the question', () => {
  const vendor = withTamperedVendor(
    () => startLedgerEnterpriseSimulator({ apiUser: API_USER, apiKey: API_KEY }),
    (url) =>
      createLedgerEnterpriseConnector(SOURCE, { url, auth: { apiUser: API_USER, apiKey: API_KEY }, timeoutMs: 5_000 }),
  );
  const ledger: LedgerRef = { source: SOURCE, ledgerId: LEDGER_ENTERPRISE_LEDGER_ID };
  let account: AccountRef;
  let other: string;

  beforeAll(() => {
    const [first, second] = vendor.simulator.truth.accounts(LEDGER_ENTERPRISE_LEDGER_ID);
    if (!first || !second) throw new Error('seed changed');
    account = { ...ledger, accountId: first.id };
    other = second.id;
  });

  it('refuses an account read by id that is another account', async () => {
    expect(await vendor.connector.getAccounts([account])).toEqual([
      expect.objectContaining({ accountId: account.accountId }),
    ]);
    vendor.proxy.tamper = (path, body) =>
      path.endsWith(`/accounts/${account.accountId}`) ? { ...body, id: Number(other) } : undefined;
    const [result] = await vendor.connector.getAccounts([account]);
    expect(result).toMatchObject(BAD);
    expect((result as Error).message).toMatch(/the account's id is not the one asked for$/);
  });

  it('refuses a search page holding one account twice', async () => {
    expect((await walk(vendor.connector.listAccounts(ledger, {}), 'forward', () => 5)).length).toBeGreaterThan(1);
    vendor.proxy.tamper = (path, body) =>
      path.endsWith('/accounts') && Array.isArray(body.edges)
        ? { ...body, edges: [body.edges[0], ...body.edges] }
        : undefined;
    await expect(walk(vendor.connector.listAccounts(ledger, {}), 'forward', () => 5)).rejects.toMatchObject(BAD);
    await expect(walk(vendor.connector.listBalances(ledger, {}), 'forward', () => 5)).rejects.toMatchObject(BAD);
  });
});
