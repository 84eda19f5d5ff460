import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { createGateway, type Gateway } from '../src/gateway.ts';
import { createLogger } from '../src/logger.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { startDemoSources, type DemoSources } from '../src/simulators/demo.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { startTamperProxy, type TamperProxy } from './helpers/tamper-proxy.ts';

/** The error of the field whose Midaz call the spent budget (`what` the operation used) held back. */
const spent = (what: string, path: string[]) => ({
  message: `the operation used ${what}; a call to source "midaz-demo" was not sent`,
  locations: [expect.any(Object)],
  path,
  extensions: { code: 'LIMIT_EXCEEDED', limit: 'upstreamCalls', source: 'midaz-demo' },
});

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
      spent('its 5 vendor calls (server.limits.maxUpstreamCalls)', ['account', 'history']),
    ]);
    // Every request the operation sent was answered before its answer went: the vendors' logs are complete.
    expect(Object.values(t.upstream()).reduce((sum, count) => sum + count, 0)).toBe(5);
  });
});

/**
 * The budget is also the operation's own cost estimate of its calls (limits/cost.ts `calls`) when
 * that is lower: a Midaz that sends its ledger's balances two empty pages for every page that holds
 * one record (each page claiming more, under a fresh cursor: nothing the walk guard refuses) drags
 * `balances(first: 3)` past the pages it was priced at. With one source and no retries a read is
 * one request, so the estimate is sources 1 + ledger 1 + (3 items + 2 reads) = 7 calls.
 */
describe('the call budget derived from the cost estimate', () => {
  let demo: DemoSources;
  let proxy: TamperProxy;
  let gateway: Gateway;

  beforeAll(async () => {
    demo = await startDemoSources();
    const midaz = demo.sources.find((source) => source.kind === 'midaz');
    proxy = await startTamperProxy(String(midaz?.url));
    gateway = createGateway(
      parseConfig({
        server: { limits: { maxUpstreamCalls: 1000 } },
        sources: [{ ...midaz, url: proxy.url, retries: 0 }],
      }),
      { logger: createLogger('error') },
    );
  });
  afterEach(async () => {
    proxy.tamper = null;
    await demo.simulators.midaz.setFault(null);
  });
  afterAll(async () => {
    await gateway?.close();
    await proxy?.close();
    await demo?.close();
  });

  const ask = async (query: string) => {
    const response = await gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query }),
    });
    return {
      status: response.status,
      body: (await response.json()) as {
        data?: { sources: unknown[]; ledger: { name: string; balances: { nodes: unknown[] } | null } };
        errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
      },
    };
  };

  it('a walk the vendor drags past the estimate fails that field with LIMIT_EXCEEDED after exactly the estimated calls; the rest is answered', async () => {
    const midaz = demo.simulators.midaz;
    const ledger = [...midaz.truth.ledgers()][0]!;
    const id = encodeGlobalId('Ledger', ['midaz-demo', ledger.id]);
    const query = `{ sources { name } ledger(id: "${id}") { name balances(first: 3) { nodes { asset } } } }`;

    // Honest pages: answered in full, within the estimate.
    const honest = await ask(query);
    expect(honest.body.errors).toBeUndefined();
    expect(honest.body.data?.ledger.balances?.nodes).toHaveLength(3);

    // A list long enough to walk on (full pages past its real end), then two of every three pages emptied.
    await midaz.setFault('paging-long');
    let page = 0;
    proxy.tamper = (path, body) => {
      if (!path.endsWith(`/ledgers/${ledger.id}/balances`)) return undefined;
      page += 1;
      return { ...body, items: page % 3 === 1 ? body.items.slice(0, 1) : [] };
    };
    proxy.paths.length = 0;
    const dragged = await ask(query);
    expect(dragged.status).toBe(200);
    expect(dragged.body.data?.sources).toHaveLength(1);
    expect(dragged.body.data?.ledger.name).toBe(ledger.name);
    expect(dragged.body.data?.ledger.balances).toBeNull();
    expect(dragged.body.errors).toEqual([spent('the 7 vendor calls its cost estimate allows', ['ledger', 'balances'])]);
    expect(proxy.paths).toHaveLength(7);
  });
});
