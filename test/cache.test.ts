import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { type GraphQLResponse, startTestGateway, type TestGateway } from './helpers/gateway.ts';

/**
 * The read cache over real HTTP to the simulators: vendor calls are counted where they arrive
 * (the simulators' request counts), never inferred from timings.
 */

type Balances = { asset: string; observedAt: string; stale: boolean; total: { minorUnits: string } };
type Tree = {
  ledgers: { nodes: Array<{ source: { name: string }; accounts: { nodes: Array<{ balances: Balances[] }> } }> };
};

/** Every source's ledgers, a few accounts each, with their balances: a read of all five vendors. */
const ALL_FIVE =
  '{ ledgers(first: 100) { nodes { source { name } accounts(first: 3) { nodes { balances { asset observedAt stale total { minorUnits } } } } } } }';

const CACHED = { ttlMs: 60_000, staleIfErrorMs: 600_000 };
const SOURCES = ['formance-demo', 'ledger-enterprise-demo', 'midaz-demo', 'blnk-demo', 'vonage-demo'];

function cacheOn(settings: Record<string, unknown>): Record<string, Record<string, unknown>> {
  return Object.fromEntries(SOURCES.map((name) => [name, { cache: settings }]));
}

function balancesOf(response: GraphQLResponse<Tree>, source?: string): Balances[] {
  return response.body
    .data!.ledgers.nodes.filter((ledger) => source === undefined || ledger.source.name === source)
    .flatMap((ledger) => ledger.accounts.nodes.flatMap((account) => account.balances));
}

function total(counts: Record<string, number>): number {
  return Object.values(counts).reduce((sum, count) => sum + count, 0);
}

function extensionsOf(response: GraphQLResponse<Tree>): Record<string, unknown> | undefined {
  return (response.body as { extensions?: Record<string, unknown> }).extensions;
}

describe('the read cache', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ sources: cacheOn(CACHED) });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers a second identical query within the TTL with zero vendor calls, observedAt the first read', async () => {
    await t.resetUpstream({ settle: true });
    const first = await t.query<Tree>(ALL_FIVE);
    expect(first.body.errors).toBeUndefined();
    expect(total(t.upstream())).toBeGreaterThan(0);
    expect(extensionsOf(first)?.cache).toBeUndefined();
    await t.resetUpstream({ settle: true });
    const second = await t.query<Tree>(ALL_FIVE);
    expect(t.upstream()).toEqual({ formance: 0, 'ledger-enterprise': 0, midaz: 0, blnk: 0, vonage: 0 });
    expect(second.body.data).toEqual(first.body.data);
    const balances = balancesOf(second);
    expect(balances.length).toBeGreaterThan(0);
    expect(balances.every((balance) => balance.stale === false)).toBe(true);
    const cache = extensionsOf(second)?.cache as { hits: number; oldest: string };
    expect(cache.hits).toBeGreaterThan(0);
    expect(cache.oldest <= balances.map((balance) => balance.observedAt).sort()[0]!).toBe(true);
  });

  it('goes to the vendor again for Cache-Control: no-cache and max-age=0, and keeps serving the cached answer otherwise', async () => {
    await t.query<Tree>(ALL_FIVE);
    for (const header of ['no-cache', 'max-age=0']) {
      await t.resetUpstream({ settle: true });
      const fresh = await t.query<Tree>(ALL_FIVE, {}, { 'cache-control': header });
      expect(fresh.body.errors).toBeUndefined();
      expect(t.upstream().blnk).toBeGreaterThan(0);
      expect(t.upstream().vonage).toBeGreaterThan(0);
      expect(extensionsOf(fresh)?.cache).toBeUndefined();
    }
    await t.resetUpstream({ settle: true });
    await t.query<Tree>(ALL_FIVE, {}, { 'cache-control': 'max-age=600' });
    expect(total(t.upstream())).toBe(0);
  });

  it("a topUp forgets the source's cached reads: the next read calls Vonage, the other sources stay cached", async () => {
    await t.query<Tree>(ALL_FIVE);
    const topUp = await t.query(
      'mutation { topUp(input: { source: "vonage-demo", trx: "00X123456Y7890123Z" }) { outcome } }',
    );
    expect(topUp.body.errors).toBeUndefined();
    await t.resetUpstream({ settle: true });
    await t.query<Tree>(ALL_FIVE);
    const calls = t.upstream();
    expect(calls.vonage).toBeGreaterThan(0);
    expect(calls.blnk).toBe(0);
  });

  it('a vendor that fails answers from a fresh-enough entry, stale and with a warning; without an entry, the coded error', async () => {
    await t.query<Tree>(ALL_FIVE);
    const blnk = t.demo.simulators.blnk;
    await blnk.setFault('refuse');
    try {
      // no-cache sends the call the fault refuses; the entry stands in for it.
      const stale = await t.query<Tree>(ALL_FIVE, {}, { 'cache-control': 'no-cache' });
      expect(stale.body.errors).toBeUndefined();
      const blnkBalances = balancesOf(stale, 'blnk-demo');
      expect(blnkBalances.length).toBeGreaterThan(0);
      expect(blnkBalances.every((balance) => balance.stale)).toBe(true);
      expect(balancesOf(stale, 'midaz-demo').every((balance) => !balance.stale)).toBe(true);
      const warnings = extensionsOf(stale)?.warnings as Array<Record<string, string>>;
      expect(warnings.length).toBeGreaterThan(0);
      for (const warning of warnings) {
        expect(warning).toMatchObject({ code: 'STALE_ANSWER', source: 'blnk-demo', error: 'SOURCE_UNAVAILABLE' });
      }
      // A read never cached (another page size) has no entry to stand in: the error as without a cache.
      const uncached = await t.query<Tree>(ALL_FIVE.replace('first: 3', 'first: 2'));
      const codes = (uncached.body.errors ?? []).map((error) => [error.extensions?.code, error.extensions?.source]);
      expect(codes).toContainEqual(['SOURCE_UNAVAILABLE', 'blnk-demo']);
    } finally {
      await blnk.setFault(null);
    }
  });
});

describe('the read cache, stale on a rate limit', () => {
  it("a vendor's 429 answers from the entry, stale, with SOURCE_RATE_LIMITED in the warning", async () => {
    const t = await startTestGateway({ sources: cacheOn({ ...CACHED, ttlMs: 1 }) });
    try {
      await t.query<Tree>(ALL_FIVE);
      await new Promise((resolve) => setTimeout(resolve, 20));
      await t.demo.simulators.midaz.setFault('rate-limited');
      const stale = await t.query<Tree>(ALL_FIVE);
      await t.demo.simulators.midaz.setFault(null);
      expect(stale.body.errors).toBeUndefined();
      expect(balancesOf(stale, 'midaz-demo').every((balance) => balance.stale)).toBe(true);
      expect(balancesOf(stale, 'blnk-demo').every((balance) => !balance.stale)).toBe(true);
      const warnings = extensionsOf(stale)?.warnings as Array<Record<string, string>>;
      expect(new Set(warnings.map((warning) => `${warning.source} ${warning.error}`))).toEqual(
        new Set(['midaz-demo SOURCE_RATE_LIMITED']),
      );
    } finally {
      await t.close();
    }
  });
});

describe('the read cache, bounded', () => {
  it('after its TTL a read goes to the vendor again', async () => {
    const t = await startTestGateway({ sources: cacheOn({ ttlMs: 200 }) });
    try {
      await t.query<Tree>(ALL_FIVE);
      await new Promise((resolve) => setTimeout(resolve, 400));
      await t.resetUpstream({ settle: true });
      await t.query<Tree>(ALL_FIVE);
      expect(t.upstream().blnk).toBeGreaterThan(0);
    } finally {
      await t.close();
    }
  });

  it('keeps points of days before today historyTtlMs: past the short TTL, only the reads of today go out again', async () => {
    const t = await startTestGateway({ sources: cacheOn({ ttlMs: 200, historyTtlMs: 600_000 }) });
    try {
      const truth = t.demo.simulators.blnk.truth;
      const ledger = [...truth.ledgers()].sort((a, b) => truth.accounts(b.id).length - truth.accounts(a.id).length)[0]!;
      const balance = truth.balances(ledger.id).find((candidate) => candidate.total !== '0')!;
      const id = encodeGlobalId('Account', ['blnk-demo', ledger.id, balance.accountId]);
      const to = new Date(Math.floor(Date.now() / 1000) * 1000).toISOString();
      const from = new Date(Date.parse(to) - 6 * 86_400_000).toISOString();
      const query = () =>
        t.query(
          `query($id: ID!) { account(id: $id) { history(asset: "${balance.asset}", from: "${from}", to: "${to}", interval: DAY, first: 7) { edges { node { at } } } } }`,
          { id },
        );
      const first = await query();
      expect(first.body.errors).toBeUndefined();
      await new Promise((resolve) => setTimeout(resolve, 400));
      await t.resetUpstream({ settle: true });
      await query();
      const pointReads = t.demo.simulators.blnk.requests.filter((request) => request.path.endsWith('/at'));
      // The six closed days answer from the cache; today's point, younger than a day, is read again.
      expect(pointReads.map((request) => request.query.timestamp?.[0])).toEqual([to]);
    } finally {
      await t.close();
    }
  });

  it('keeps no more than maxBytes: with a bound smaller than any answer, every read goes to the vendor', async () => {
    const t = await startTestGateway({ sources: cacheOn({ ttlMs: 60_000, maxBytes: 1 }) });
    try {
      await t.query<Tree>(ALL_FIVE);
      await t.resetUpstream({ settle: true });
      const again = await t.query<Tree>(ALL_FIVE);
      expect(t.upstream().blnk).toBeGreaterThan(0);
      expect(extensionsOf(again)?.cache).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});

describe('the read cache and scoping', () => {
  const sha256 = (key: string) => createHash('sha256').update(key).digest('hex');
  const allKey = randomBytes(24).toString('base64url');
  const blnkKey = randomBytes(24).toString('base64url');

  it('never shows a caller a source its key may not see, though another key filled the cache', async () => {
    const t = await startTestGateway({
      sources: cacheOn(CACHED),
      server: {
        auth: {
          apiKeys: [
            { name: 'ops', sha256: sha256(allKey), sources: ['*'] },
            { name: 'web-blnk', sha256: sha256(blnkKey), sources: ['blnk-demo'] },
          ],
        },
      },
    });
    try {
      const all = await t.query<Tree>(ALL_FIVE, {}, { 'x-api-key': allKey });
      expect(new Set(all.body.data!.ledgers.nodes.map((ledger) => ledger.source.name)).size).toBe(5);
      await t.resetUpstream({ settle: true });
      const scoped = await t.query<Tree>(ALL_FIVE, {}, { 'x-api-key': blnkKey });
      expect(new Set(scoped.body.data!.ledgers.nodes.map((ledger) => ledger.source.name))).toEqual(
        new Set(['blnk-demo']),
      );
      // Its blnk reads came from the cache the other key filled.
      expect(t.upstream().blnk).toBe(0);
      expect(extensionsOf(scoped)?.cache).toBeDefined();
    } finally {
      await t.close();
    }
  });
});
