import { describe, expect, it } from 'vitest';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import type { RecordedRequest } from '../src/simulators/types.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

/**
 * The read cache's `historyTtlMs` for Formance and Midaz, and which entry its byte bound lets go
 * first, over real HTTP to the simulators: vendor calls are counted where they arrive, never
 * inferred from timings (a real clock gap past `ttlMs` is the only wait).
 */

const SOURCES = ['formance-demo', 'ledger-enterprise-demo', 'midaz-demo', 'blnk-demo', 'vonage-demo'];

function cacheOn(settings: Record<string, unknown>): Record<string, Record<string, unknown>> {
  return Object.fromEntries(SOURCES.map((name) => [name, { cache: settings }]));
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A daily history of `accountId` over the last six closed days and today (`to`, now to the second). */
function dailyHistory(t: TestGateway, source: string, ledgerId: string, accountId: string, asset: string) {
  const id = encodeGlobalId('Account', [source, ledgerId, accountId]);
  const to = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
  const from = new Date(Date.parse(to) - 6 * 86_400_000).toISOString();
  const query = () =>
    t.query<{ account: { history: { edges: Array<{ node: { at: string } }> } } }>(
      `query($id: ID!) { account(id: $id) { history(asset: "${asset}", from: "${from}", to: "${to}", interval: DAY, first: 7) { edges { node { at } } } } }`,
      { id },
    );
  return { to, query };
}

describe('the read cache keeps Formance and Midaz points of closed days historyTtlMs', () => {
  const TTL_MS = 50;

  it('Formance: past the short TTL, only the dated volumes read of today goes to the vendor again', async () => {
    const t = await startTestGateway({ sources: cacheOn({ ttlMs: TTL_MS, historyTtlMs: 600_000 }) });
    try {
      const truth = t.demo.simulators.formance.truth;
      const ledger = [...truth.ledgers()].find((candidate) =>
        truth.balances(candidate.id).some((balance) => balance.total !== '0'),
      )!;
      const balance = truth.balances(ledger.id).find((candidate) => candidate.total !== '0')!;
      const { to, query } = dailyHistory(t, 'formance-demo', ledger.id, balance.accountId, balance.asset);
      const first = await query();
      expect(first.body.errors).toBeUndefined();
      const datedReads = (requests: readonly RecordedRequest[]) =>
        requests.filter((request) => request.path.endsWith('/volumes') && request.query.endTime !== undefined);
      // Every instant was read once from the vendor: the six closed days and today.
      expect(datedReads(t.demo.simulators.formance.requests)).toHaveLength(7);
      await pause(4 * TTL_MS);
      await t.resetUpstream({ settle: true });
      const second = await query();
      expect(second.body.data).toEqual(first.body.data);
      // The `endTime` Formance is sent: RFC 3339 in UTC, no fraction for a whole second.
      expect(datedReads(t.demo.simulators.formance.requests).map((request) => request.query.endTime?.[0])).toEqual([
        `${to.slice(0, 19)}Z`,
      ]);
    } finally {
      await t.close();
    }
  });

  it('Midaz: past the short TTL, only the history read of today goes to the vendor again', async () => {
    const t = await startTestGateway({ sources: cacheOn({ ttlMs: TTL_MS, historyTtlMs: 600_000 }) });
    try {
      const truth = t.demo.simulators.midaz.truth;
      const ledger = [...truth.ledgers()].find((candidate) =>
        truth.balances(candidate.id).some((balance) => balance.total !== '0'),
      )!;
      const balance = truth.balances(ledger.id).find((candidate) => candidate.total !== '0')!;
      const { to, query } = dailyHistory(t, 'midaz-demo', ledger.id, balance.accountId, balance.asset);
      const first = await query();
      expect(first.body.errors).toBeUndefined();
      const historyReads = (requests: readonly RecordedRequest[]) =>
        requests.filter((request) => request.path.endsWith('/balances/history'));
      expect(historyReads(t.demo.simulators.midaz.requests)).toHaveLength(7);
      await pause(4 * TTL_MS);
      await t.resetUpstream({ settle: true });
      const second = await query();
      expect(second.body.data).toEqual(first.body.data);
      // The `date` Midaz is sent: `YYYY-MM-DD hh:mm:ss` in UTC.
      const today = `${to.slice(0, 10)} ${to.slice(11, 19)}`;
      expect(historyReads(t.demo.simulators.midaz.requests).map((request) => request.query.date?.[0])).toEqual([today]);
    } finally {
      await t.close();
    }
  });
});
