import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

/**
 * `server.limits.maxUpstreamCalls`: the vendor HTTP requests one operation may send, enforced while
 * it runs. The call that would pass it is not sent; its field fails with LIMIT_EXCEEDED and the
 * fields already answered stay.
 */
describe('the call budget of an operation', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ server: { limits: { maxUpstreamCalls: 5 } } });
  });
  afterAll(() => t?.close());

  it('a history needing 24 reads under a budget of 5: exactly 5 vendor requests, then LIMIT_EXCEEDED on the field', async () => {
    const midaz = t.demo.simulators.midaz;
    const ledger = [...midaz.truth.ledgers()].sort(
      (a, b) => midaz.truth.accounts(b.id).length - midaz.truth.accounts(a.id).length,
    )[0]!;
    const balance = midaz.truth.balances(ledger.id)[0]!;
    const id = encodeGlobalId('Account', ['midaz-demo', ledger.id, balance.accountId]);
    const day = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 2 * 86_400_000;
    const from = new Date(day).toISOString();
    const to = new Date(day + 23 * 3_600_000).toISOString();
    await t.resetUpstream();
    const response = await t.query<{ sources: unknown[]; account: { address: string; history: unknown } }>(
      `query($id: ID!) { sources { name } account(id: $id) { address
        history(asset: "${balance.asset}", from: "${from}", to: "${to}", interval: HOUR, first: 24) { nodes { at } } } }`,
      { id },
    );
    expect(response.status).toBe(200);
    expect(response.body.data!.sources).toHaveLength(5);
    expect(response.body.data!.account.address).toEqual(expect.any(String));
    expect(response.body.data!.account.history).toBeNull();
    expect(response.body.errors).toEqual([
      {
        message:
          'the operation used its 5 vendor calls (server.limits.maxUpstreamCalls); a call to source "midaz-demo" was not sent',
        locations: [expect.any(Object)],
        path: ['account', 'history'],
        extensions: { code: 'LIMIT_EXCEEDED', limit: 'upstreamCalls', source: 'midaz-demo' },
      },
    ]);
    // Every request the operation sent was answered before its answer went: the vendors' logs are complete.
    expect(Object.values(t.upstream()).reduce((sum, count) => sum + count, 0)).toBe(5);
  });
});
