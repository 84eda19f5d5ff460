import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../src/errors.ts';
import { createVonageConnector } from '../../src/providers/vonage/index.ts';
import type { Connector } from '../../src/providers/types.ts';
import {
  startVonageSimulator,
  VONAGE_DEMO_API_KEY,
  VONAGE_DEMO_API_SECRET,
  type VonageSimulatorHandle,
} from '../../src/simulators/vonage/index.ts';
import { describeConnectorContract, walk } from './contract.ts';
import { checkAgainstSpec, specsAvailable } from './openapi.ts';

const auth = { apiKey: VONAGE_DEMO_API_KEY, apiSecret: VONAGE_DEMO_API_SECRET };

describeConnectorContract(
  'vonage',
  async () => {
    const simulator = await startVonageSimulator();
    return { simulator, connector: createVonageConnector('sms', { url: simulator.url, auth, timeoutMs: 2000 }) };
  },
  // One account and its subaccounts: no 250-account ledger, no balance past 2^53, none negative.
  { bigLedger: false, hugeAmounts: false, negativeAmounts: false },
);

describe('vonage: connector quirks', () => {
  let simulator: VonageSimulatorHandle;
  let connector: Connector;
  const account = (accountId: string) => ({ source: 'sms', ledgerId: 'account', accountId });
  beforeAll(async () => {
    simulator = await startVonageSimulator();
    connector = createVonageConnector('sms', { url: simulator.url, auth, timeoutMs: 2000 });
  });
  afterAll(async () => {
    await connector?.close();
    await simulator?.close();
  });

  it('reads the EUR float from its JSON text, digit for digit, where a double would round it', async () => {
    const [balances] = await connector.getAccountBalances([account('sub00001')]);
    if (!Array.isArray(balances)) throw balances;
    expect(balances[0]?.total).toEqual({ minorUnits: 123456789000001n, scale: 8, asset: 'EUR' });
    expect(String(1234567.89000001 * 1e8)).not.toBe('123456789000001'); // what a double makes of it
    const [primary] = await connector.getAccountBalances([account(VONAGE_DEMO_API_KEY)]);
    expect(primary).toEqual([expect.objectContaining({ total: { minorUnits: 1017127500n, scale: 8, asset: 'EUR' } })]);
  });

  it('lists every account with two calls, sends Basic auth, and never puts the secret in a URL', async () => {
    simulator.resetRequests();
    const accounts = await walk(
      connector.listAccounts({ source: 'sms', ledgerId: 'account' }, {}),
      'forward',
      () => 10,
    );
    expect(accounts.map((item) => item.accountId)).toEqual([VONAGE_DEMO_API_KEY, 'sub00001', 'sub00002', 'sub00003']);
    expect(simulator.requests.map((request) => `${request.method} ${request.path}`).sort()).toEqual([
      'GET /account/get-balance',
      `GET /accounts/${VONAGE_DEMO_API_KEY}/subaccounts`,
    ]);
    for (const request of simulator.requests) {
      expect(request.headers.authorization).toBe(
        `Basic ${Buffer.from(`${VONAGE_DEMO_API_KEY}:${VONAGE_DEMO_API_SECRET}`).toString('base64')}`,
      );
      expect(JSON.stringify(request.query)).not.toContain(VONAGE_DEMO_API_SECRET);
    }
  });

  it("shows autoReload, and a subaccount that spends the primary's balance as one with no balance of its own", async () => {
    const [primary, shared] = await connector.getAccounts([account(VONAGE_DEMO_API_KEY), account('sub00002')]);
    expect(primary).toMatchObject({ metadata: { autoReload: true } });
    expect(shared).toMatchObject({ balances: [], metadata: { usePrimaryAccountBalance: true } });
    const [missing] = await connector.getAccounts([account('nobody')]);
    expect(missing).toBeInstanceOf(NotFoundError);
  });

  it('tops up: success, auto-reload disabled as a typed outcome, bad credentials as SOURCE_AUTH_FAILED, each sent once', async () => {
    expect(await connector.topUp?.({ trx: '00X123456Y7890123Z' })).toEqual({
      source: 'sms',
      trx: '00X123456Y7890123Z',
      outcome: 'SUCCESS',
    });
    const withoutReload = await startVonageSimulator({ autoReload: false });
    const noReload = createVonageConnector('sms', { url: withoutReload.url, auth, timeoutMs: 2000 });
    expect(await noReload.topUp?.({ trx: 'trx-2' })).toMatchObject({ outcome: 'AUTO_RELOAD_DISABLED' });
    const wrong = createVonageConnector('sms', {
      url: withoutReload.url,
      auth: { ...auth, apiSecret: 'wrong-secret-value' },
      timeoutMs: 2000,
    });
    const error = await wrong.topUp?.({ trx: 'trx-3' }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: 'SOURCE_AUTH_FAILED', sourceName: 'sms' });
    expect(String((error as Error).message)).not.toContain('wrong-secret-value');
    expect(withoutReload.requests.filter((request) => request.path === '/account/top-up')).toHaveLength(2); // one POST each, no retry
    expect(
      withoutReload.requests.every(
        (request) => request.headers['content-type'] === 'application/x-www-form-urlencoded',
      ),
    ).toBe(true);
    await Promise.all([noReload.close(), wrong.close(), withoutReload.close()]);
  });

  it('refuses a balance with more decimals than it can hold exactly, as SOURCE_BAD_RESPONSE', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_, response) => response.end('{"value":1.123456789,"autoReload":false}'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const odd = createVonageConnector('sms', {
      url: `http://127.0.0.1:${(server.address() as { port: number }).port}`,
      auth,
      timeoutMs: 2000,
    });
    const [result] = await odd.getAccountBalances([account(VONAGE_DEMO_API_KEY)]);
    expect(result).toMatchObject({ code: 'SOURCE_BAD_RESPONSE' });
    await odd.close();
    server.close();
  });

  it.skipIf(!specsAvailable)('sends requests the Vonage specs document', async () => {
    simulator.resetRequests();
    await connector.getAccounts([account(VONAGE_DEMO_API_KEY), account('sub00001')]);
    await connector.topUp?.({ trx: 'spec-check' });
    const accountApi = simulator.requests.filter((request) => request.path.startsWith('/account/'));
    const subaccountApi = simulator.requests.filter((request) => request.path.startsWith('/accounts/'));
    expect(accountApi.length).toBe(2);
    expect(subaccountApi.length).toBe(1);
    expect(checkAgainstSpec(accountApi, { file: 'vonage/account.yml' })).toEqual([]);
    // The Subaccounts spec's server URL ends in /accounts: its paths start below it.
    expect(checkAgainstSpec(subaccountApi, { file: 'vonage/subaccounts.yml', pathPrefix: '/accounts' })).toEqual([]);
  });
});
