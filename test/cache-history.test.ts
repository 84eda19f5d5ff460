import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { createGateway, type Gateway } from '../src/gateway.ts';
import { createLogger } from '../src/logger.ts';
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

describe("the read cache's byte bound lets the least recently used read go first", () => {
  it('with room for about two points: A, B, A again, C; then A still answers from the cache and B goes to the vendor', async () => {
    // Sizes are measured first through a gateway without a cache, then a second gateway over the
    // same simulators gets a bound between "two points fit" and "three points fit".
    const t = await startTestGateway();
    let bounded: Gateway | undefined;
    try {
      const blnk = t.demo.simulators.blnk;
      const truth = blnk.truth;
      const ledger = [...truth.ledgers()].find((candidate) =>
        truth.balances(candidate.id).some((balance) => balance.total !== '0'),
      )!;
      const balance = truth.balances(ledger.id).find((candidate) => candidate.total !== '0')!;
      const id = encodeGlobalId('Account', ['blnk-demo', ledger.id, balance.accountId]);
      const midnight = Date.now() - (Date.now() % 86_400_000);
      // Points of three closed days: one vendor read each (`/balances/{id}/at`), the same size give or take a digit.
      const [a, b, c] = [1, 2, 3].map((days) => new Date(midnight - days * 86_400_000 + 3_600_000).toISOString());
      const point = (at: string) =>
        `query($id: ID!) { account(id: $id) { history(asset: "${balance.asset}", from: "${at}", to: "${at}", interval: DAY, first: 1) { edges { node { at } } } } }`;

      const source = t.demo.sources.find((entry) => entry.name === 'blnk-demo')!;
      const apiKey = (source.auth as { apiKey: string }).apiKey;
      /** What an entry of this vendor request weighs in the cache: its body, plus about its key (the request target). */
      const weigh = async (request: RecordedRequest) => {
        const search = new URLSearchParams(
          Object.entries(request.query).flatMap(([name, values]) => values.map((value) => [name, value])),
        ).toString();
        const target = `${request.path}${search ? `?${search}` : ''}`;
        const response = await fetch(`${source.url}${target}`, { headers: { 'X-Blnk-Key': apiKey } });
        return (await response.text()).length + target.length + 4;
      };
      const shared = new Map<string, number>();
      const points: number[] = [];
      for (const at of [a, b, c] as string[]) {
        await t.resetUpstream({ settle: true });
        expect((await t.query(point(at), { id })).body.errors).toBeUndefined();
        for (const request of [...blnk.requests]) {
          if (request.path.endsWith('/at')) points.push(await weigh(request));
          else shared.set(request.path, await weigh(request));
        }
      }
      expect(points).toHaveLength(3);
      const [, sizeB, sizeC] = points as [number, number, number];
      expect(sizeC / 2).toBeLessThan(sizeB); // C fits once B is gone
      const maxBytes = [...shared.values(), ...points].reduce((sum, size) => sum + size, 0) - Math.floor(sizeC / 2);

      bounded = createGateway(
        parseConfig({
          server: { cursorSecret: 'test-cursor-secret-0123456789' },
          sources: t.demo.sources.map((entry) =>
            entry.name === 'blnk-demo' ? { ...entry, cache: { ttlMs: 600_000, maxBytes } } : entry,
          ),
        }),
        { logger: createLogger('silent') },
      );
      const gateway = bounded;
      const ask = async (at: string) => {
        const response = await gateway.yoga.fetch('http://gateway.test/graphql', {
          method: 'POST',
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
          body: JSON.stringify({ query: point(at), variables: { id } }),
        });
        expect((await response.json()).errors).toBeUndefined();
      };
      for (const at of [a, b, a, c] as string[]) await ask(at);
      const pointReads = () =>
        blnk.requests.filter((request) => request.path.endsWith('/at')).map((request) => request.query.timestamp?.[0]);

      // A was read again after B, so B was the least recently used when C came in.
      await t.resetUpstream({ settle: true });
      await ask(a as string);
      expect(pointReads()).toEqual([]);
      await ask(b as string);
      expect(pointReads()).toEqual([b]);
    } finally {
      await bounded?.close();
      await t.close();
    }
  });
});
