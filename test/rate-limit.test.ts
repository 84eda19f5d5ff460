import { afterEach, describe, expect, it } from 'vitest';
import { busiestSecond } from '../src/simulators/recorder.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import type { DemoVendor } from '../src/simulators/demo.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

// sources[].rateLimit against the simulators over real HTTP: the simulators count arrivals (and
// their times) and refuse what passes their own quota as the vendor's server does.

const ACCOUNT = 'query($id: ID!) { account(id: $id) { address } }';
const HEALTH = '{ sources { name health { circuit consecutiveFailures } } }';

let t: TestGateway | undefined;
afterEach(async () => {
  await t?.close();
  t = undefined;
});

/** Account ids of the vendor's largest ledger: each operation asks for another, so no two GETs are joined. */
function accountIds(gateway: TestGateway, vendor: DemoVendor): string[] {
  const truth = gateway.demo.simulators[vendor].truth;
  const ledger = [...truth.ledgers()].sort((a, b) => truth.accounts(b.id).length - truth.accounts(a.id).length)[0]!;
  return truth
    .accounts(ledger.id)
    .map((account) => encodeGlobalId('Account', [`${vendor}-demo`, ledger.id, account.id]));
}

/** Runs `operations` account lookups, `concurrency` at a time, until done or `stop()`; returns the error codes seen. */
async function load(
  gateway: TestGateway,
  vendor: DemoVendor,
  options: { operations: number; concurrency: number; stop?: () => boolean },
): Promise<string[]> {
  const ids = accountIds(gateway, vendor);
  const codes: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < options.operations && !options.stop?.()) {
      const id = ids[next % ids.length];
      next += 1;
      const answer = await gateway.query(ACCOUNT, { id });
      for (const error of answer.body.errors ?? []) codes.push(String(error.extensions?.code));
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, worker));
  return codes;
}

async function breakerOf(gateway: TestGateway, source: string) {
  const answer = await gateway.query<{ sources: Array<{ name: string; health: unknown }> }>(HEALTH);
  return answer.body.data?.sources.find((entry) => entry.name === source)?.health;
}

const until = async (done: () => boolean, limitMs: number) => {
  for (const end = Date.now() + limitMs; !done() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 5));
};

describe('sources[].rateLimit', () => {
  it('a burst of operations never sends the vendor more than the configured rate: zero refusals at a vendor whose quota it matches', async () => {
    t = await startTestGateway({ sources: { 'blnk-demo': { rateLimit: { requestsPerSecond: 10, burst: 2 } } } });
    const blnk = t.demo.simulators.blnk;
    // Blnk's own bucket, as tollbooth keeps it: the same rate, two calls of slack for the network's jitter.
    blnk.setQuota({ perSecond: 10, burst: 4 });
    await t.resetUpstream();
    const codes = await load(t, 'blnk', { operations: 40, concurrency: 8 });
    expect(codes).toEqual([]);
    expect(blnk.refused).toBe(0);
    expect(blnk.arrivals).toBeGreaterThanOrEqual(40);
    // A bucket of 2 refilled at 10/s lets through at most 12 calls in any second; 2 more for jitter.
    expect(busiestSecond(blnk.arrivalTimes)).toBeLessThanOrEqual(14);
    expect(await breakerOf(t, 'blnk-demo')).toEqual({ circuit: 'CLOSED', consecutiveFailures: 0 });
  });

  it('without rateLimit the same burst passes the vendor quota (the control of the test above)', async () => {
    t = await startTestGateway();
    const blnk = t.demo.simulators.blnk;
    blnk.setQuota({ perSecond: 10, burst: 4 });
    await t.resetUpstream();
    await load(t, 'blnk', { operations: 40, concurrency: 8 });
    expect(blnk.refused).toBeGreaterThan(0);
  });

  it('a turn that would come after the operation deadline fails that field at once with SOURCE_RATE_LIMITED; the other sources answer and the breaker stays closed', async () => {
    t = await startTestGateway({
      server: { requestTimeoutMs: 600 },
      sources: { 'blnk-demo': { rateLimit: { requestsPerSecond: 1, burst: 1 } } },
    });
    const [first, second] = accountIds(t, 'blnk');
    const [formance] = accountIds(t, 'formance');
    await t.resetUpstream();
    const spent = await t.query(ACCOUNT, { id: first });
    expect(spent.body.errors).toBeUndefined();
    // The next turn is a second away; the operation has 600 ms.
    const answer = await t.query<{ blnk: unknown; formance: { address: string } | null }>(
      'query($blnk: ID!, $formance: ID!) { blnk: account(id: $blnk) { address } formance: account(id: $formance) { address } }',
      { blnk: second, formance },
    );
    expect(answer.status).toBe(200);
    expect(answer.body.data?.formance?.address).toEqual(expect.any(String));
    expect(answer.body.data?.blnk).toBeNull();
    expect(answer.body.errors?.map((error) => [error.path, error.extensions])).toEqual([
      [['blnk'], { code: 'SOURCE_RATE_LIMITED', source: 'blnk-demo' }],
    ]);
    // Refused without waiting: the vendor saw only the first operation's call, then or later.
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect(t.demo.simulators.blnk.arrivals).toBe(1);
    expect(await breakerOf(t, 'blnk-demo')).toEqual({ circuit: 'CLOSED', consecutiveFailures: 0 });
  });

  it('a client that leaves while its call waits for a turn: the call is never sent', async () => {
    t = await startTestGateway({ sources: { 'blnk-demo': { rateLimit: { requestsPerSecond: 1, burst: 1 } } } });
    const url = await t.listen();
    const [first, second] = accountIds(t, 'blnk');
    await t.resetUpstream();
    expect((await t.query(ACCOUNT, { id: first })).body.errors).toBeUndefined();
    const leaving = new AbortController();
    const asked = fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: ACCOUNT, variables: { id: second } }),
      signal: leaving.signal,
    }).catch(() => undefined);
    // The call now waits for the turn a second away.
    await new Promise((resolve) => setTimeout(resolve, 150));
    leaving.abort();
    await asked;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(t.demo.simulators.blnk.arrivals).toBe(1);
  });

  it("a vendor's 429 with Retry-After: 2 gets no call until then; the rate halves, then climbs back to the configured one; the breaker stays closed", async () => {
    t = await startTestGateway({
      sources: { 'formance-demo': { rateLimit: { requestsPerSecond: 20, burst: 1 } } },
    });
    const formance = t.demo.simulators.formance;
    const quota = t.gateway.runtime.quotas?.get('formance-demo');
    expect(quota?.snapshot().requestsPerSecond).toBe(20);
    let stop = false;
    const running = load(t, 'formance', { operations: Number.POSITIVE_INFINITY, concurrency: 6, stop: () => stop });
    try {
      await until(() => formance.arrivals >= 10, 10_000);
      // A quota of one call every two seconds, on a full bucket: the next call is refused with Retry-After: 2.
      formance.setQuota({ perSecond: 0.5, burst: 1 });
      await until(() => formance.refused > 0, 10_000);
      formance.setQuota(null);
      expect(formance.refusedTimes.length).toBeGreaterThan(0);
      const refusedAt = formance.refusedTimes[0] as number;
      // The refusal is counted as it arrives; the gateway reads the answer a moment later.
      await until(() => (quota?.snapshot().throttles ?? 0) > 0, 5000);
      expect(quota?.snapshot().requestsPerSecond).toBeLessThanOrEqual(10);
      // Climbs back under load, an eighth of the rate a second.
      await until(() => quota?.snapshot().requestsPerSecond === 20, 20_000);
      expect(quota?.snapshot()).toMatchObject({ requestsPerSecond: 20, throttles: 1 });
      const logged = t.logs.filter((line) => line.includes('formance-demo'));
      expect(logged.filter((line) => line.includes('throttled the gateway'))).toHaveLength(1);
      expect(logged.filter((line) => line.includes('back at its full rate'))).toHaveLength(1);
      const silent = formance.arrivalTimes.filter((at) => at > refusedAt + 300 && at < refusedAt + 1700);
      expect(silent).toEqual([]);
      expect(formance.arrivalTimes.filter((at) => at > refusedAt + 2000).length).toBeGreaterThan(0);
    } finally {
      stop = true;
      expect(await running).toEqual([]);
    }
    expect(await breakerOf(t, 'formance-demo')).toEqual({ circuit: 'CLOSED', consecutiveFailures: 0 });
  });

  it("Ledger Enterprise's 420 with Retry-After (the Vault's documented throttling) pauses and lowers the source's rate too", async () => {
    t = await startTestGateway({ sources: { 'ledger-enterprise-demo': { rateLimit: { requestsPerSecond: 8 } } } });
    const vault = t.demo.simulators['ledger-enterprise'];
    vault.setQuota({ perSecond: 1, burst: 1 });
    const codes = await load(t, 'ledger-enterprise', { operations: 3, concurrency: 3 });
    vault.setQuota(null);
    expect(codes).toEqual([]);
    expect(vault.refused).toBeGreaterThan(0);
    // Each 420 it met after a pause halved the rate once more (never below a sixteenth of it).
    const after = t.gateway.runtime.quotas?.get('ledger-enterprise-demo')?.snapshot();
    expect(after?.throttles).toBeGreaterThanOrEqual(1);
    expect(after?.requestsPerSecond).toBeLessThanOrEqual(4);
    expect(after?.requestsPerSecond).toBeGreaterThanOrEqual(0.5);
  });

  it("Vonage's published cap (max-calls-per-second in its account settings) is read once and caps the configured rate", async () => {
    t = await startTestGateway({ sources: { 'vonage-demo': { rateLimit: { requestsPerSecond: 100, burst: 5 } } } });
    const vonage = t.demo.simulators.vonage;
    const [first, second] = accountIds(t, 'vonage');
    await t.resetUpstream();
    expect((await t.query(ACCOUNT, { id: first })).body.errors).toBeUndefined();
    expect((await t.query(ACCOUNT, { id: second })).body.errors).toBeUndefined();
    expect(vonage.requests.filter((request) => request.path === '/account/settings')).toHaveLength(1);
    expect(vonage.requests.find((request) => request.path === '/account/settings')).toMatchObject({
      method: 'POST',
      body: '',
      status: 200,
    });
    // The demo account's settings say 30 calls a second (the spec's example).
    expect(t.gateway.runtime.quotas?.get('vonage-demo')?.snapshot()).toMatchObject({
      ceiling: 30,
      requestsPerSecond: 30,
    });
  });

  it("token requests take their turn too: Formance's OAuth call and the reads it opens keep the rate between them", async () => {
    t = await startTestGateway({ sources: { 'formance-demo': { rateLimit: { requestsPerSecond: 2, burst: 1 } } } });
    const formance = t.demo.simulators.formance;
    const [first, second] = accountIds(t, 'formance');
    await t.resetUpstream();
    expect((await t.query(ACCOUNT, { id: first })).body.errors).toBeUndefined();
    expect((await t.query(ACCOUNT, { id: second })).body.errors).toBeUndefined();
    expect(formance.arrivedPaths.some((path) => path.endsWith('/oauth/token'))).toBe(true);
    expect(formance.arrivedPaths.length).toBeGreaterThanOrEqual(3);
    // Turns every 500 ms, the token request's included: n calls span at least (n - 1) turns. A call
    // can only arrive later than its turn (a busy event loop fires its timer late, which may bring it
    // close to the next one), so the span, not each gap, is the bound; 250 ms are left for the first
    // arrival being recorded late. Were the token request not to take a turn, the span would be a turn short.
    const times = formance.arrivalTimes;
    expect((times.at(-1) as number) - (times[0] as number)).toBeGreaterThanOrEqual((times.length - 1) * 500 - 250);
  });
});
