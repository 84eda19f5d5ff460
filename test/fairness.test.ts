import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { createGateway, type Gateway } from '../src/gateway.ts';
import { createLogger } from '../src/logger.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { ledgerEnterpriseDemo } from '../src/simulators/ledger-enterprise/demo.ts';
import { startLedgerEnterpriseSimulator } from '../src/simulators/ledger-enterprise/index.ts';
import { midazDemo } from '../src/simulators/midaz/demo.ts';
import { MIDAZ_DEMO_TOKEN, startMidazSimulator } from '../src/simulators/midaz/index.ts';
import type { SimulatorHandle } from '../src/simulators/types.ts';
import { arrivalsDuring, postOverSocket, until } from './helpers/sockets.ts';

/**
 * Fair sharing of a fan-out vendor's capacity between operations, through the real gateway on a
 * real socket and a simulator that answers slowly: order and counts of the calls the vendor
 * receives, never durations.
 */
const opened: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of opened.splice(0).reverse()) await close();
});

/** A gateway with one source over `simulator`, listening on 127.0.0.1. */
async function serve(simulator: SimulatorHandle, source: Record<string, unknown>, server: Record<string, unknown>) {
  const config = parseConfig({ server: { cursorSecret: 'fairness-cursor-secret-0123', ...server }, sources: [source] });
  const gateway: Gateway = createGateway(config, { logger: createLogger('silent') });
  const http: Server = createServer(gateway.yoga);
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  opened.push(
    () => simulator.close(),
    () => gateway.close(),
    () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  );
  return `http://127.0.0.1:${(http.address() as AddressInfo).port}/graphql`;
}

describe('fair sharing of a fan-out vendor', () => {
  it('Midaz: a light lookup is served while a heavy operation (20 aliased hourly histories) saturates the source', async () => {
    const midaz = await startMidazSimulator({ token: MIDAZ_DEMO_TOKEN, latencyMs: 250 });
    const url = await serve(
      midaz,
      { name: 'midaz', kind: 'midaz', url: midaz.url, ...midazDemo.source(), concurrency: 2 },
      {},
    );
    const ledger = [...midaz.truth.ledgers()].sort(
      (a, b) => midaz.truth.accounts(b.id).length - midaz.truth.accounts(a.id).length,
    )[0]!;
    const [heavyAccount, lightAccount] = midaz.truth.accounts(ledger.id);
    const asset = midaz.truth.balances(ledger.id).find((balance) => balance.accountId === heavyAccount!.id)!.asset;
    const idOf = (account: { id: string }) => encodeGlobalId('Account', ['midaz', ledger.id, account.id]);
    // 20 days of 24 hourly points each: 480 history reads, 240 rounds of the source's 2 calls at a time.
    const day = Math.floor(Date.now() / 86_400_000) * 86_400_000 - 30 * 86_400_000;
    const aliases = Array.from({ length: 20 }, (_, index) => {
      const from = new Date(day + index * 86_400_000).toISOString();
      const to = new Date(day + index * 86_400_000 + 23 * 3_600_000).toISOString();
      return `h${index}: history(asset: "${asset}", from: "${from}", to: "${to}", interval: HOUR, first: 24) { nodes { at } }`;
    });
    const heavy = postOverSocket(
      url,
      `query($id: ID!) { account(id: $id) { ${aliases.join(' ')} } }`,
      { id: idOf(heavyAccount!) },
      {
        'x-request-id': 'heavy-operation',
      },
    );
    let heavyAnswered = false;
    const answered = () => {
      heavyAnswered = true;
    };
    heavy.answer.then(answered, answered);
    const tagged = (tag: string) => midaz.requests.filter((request) => request.headers['x-request-id'] === tag).length;
    await until(() => tagged('heavy-operation') >= 6, 10_000, 'the heavy operation saturates Midaz');

    const mark = midaz.requests.length;
    const light = postOverSocket(
      url,
      'query($id: ID!) { account(id: $id) { address balances { asset } } }',
      { id: idOf(lightAccount!) },
      {
        'x-request-id': 'light-operation',
      },
    );
    const answer = await light.answer;
    expect(answer.body.errors).toBeUndefined();
    expect(answer.body.data).toMatchObject({ account: { address: expect.any(String) } });
    // The vendor's log from the light request's arrival to its last call: how many heavy calls went first.
    const since = midaz.requests.slice(mark);
    const lastLight = since.findLastIndex((request) => request.headers['x-request-id'] === 'light-operation');
    const lightCalls = since.filter((request) => request.headers['x-request-id'] === 'light-operation').length;
    const heavyFirst = since
      .slice(0, lastLight)
      .filter((request) => request.headers['x-request-id'] === 'heavy-operation').length;
    expect(lightCalls).toBeGreaterThan(0);
    // Round robin: each light call waits for at most one heavy call per permit (2) and turn, and the
    // heavy calls in flight when it came; first come, first served would put it behind ~470 of them.
    expect(heavyFirst).toBeLessThanOrEqual(2 + 2 * lightCalls + 2);
    expect(heavyAnswered).toBe(false); // the heavy one was still running

    // The heavy client gives up: its queued reads never go out. (The vendor hangs first, so no call
    // of it can end and free a permit while the gateway is still learning that the client left.)
    await midaz.setFault('hang');
    await until(() => midaz.inFlight === 2, 5000, 'both permits are held by hung heavy calls');
    heavy.leave();
    await until(() => midaz.inFlight === 0, 3000, 'the heavy operation’s calls are aborted');
    expect(await arrivalsDuring([midaz])).toBe(0);
  });

  it('Ledger Enterprise: 20 concurrent nodes(ids: [100 accounts]) against a slow vendor end on the operation deadline and never open the breaker', {
    timeout: 20_000,
  }, async () => {
    // A vendor answering in 200 ms beside a 2 s call deadline: only a wait inside the gateway,
    // not a stall of a loaded test machine, can take a call past it.
    const vault = await startLedgerEnterpriseSimulator({ latencyMs: 200 }); // the demo API user and key
    const url = await serve(
      vault,
      { name: 'vault', kind: 'ledger-enterprise', url: vault.url, ...ledgerEnterpriseDemo.source(), timeoutMs: 2000 },
      { requestTimeoutMs: 5000 },
    );
    const all = vault.truth
      .accounts('workspace')
      .map((account) => encodeGlobalId('Account', ['vault', 'workspace', account.id]));
    // Each caller its own 100 accounts (of 300, rotated), so their reads are not one shared GET.
    const idsOf = (caller: number) => [...all, ...all].slice(caller * 15, caller * 15 + 100);
    const ids = idsOf(0);
    const query = 'query($ids: [ID!]!) { nodes(ids: $ids) { ... on Account { balances { asset total { amount } } } } }';
    // 2,000 reads at 8 a time and 200 ms each would take 50 s: far past the 5 s deadline. A call
    // that waited in a queue inside the gateway past its own 2 s would count as a vendor timeout.
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, caller) => postOverSocket(url, query, { ids: idsOf(caller) }).answer),
    );
    const codes = new Set(
      answers.flatMap((answer) => (answer.body.errors ?? []).map((error) => error.extensions?.code)),
    );
    for (const answer of answers) expect(answer.status).toBe(200);
    expect([...codes]).toEqual(['OPERATION_TIMEOUT']); // waiting inside the gateway is never a vendor timeout
    const served = answers.reduce(
      (sum, answer) => sum + (answer.body.data as { nodes: unknown[] }).nodes.filter((node) => node !== null).length,
      0,
    );
    expect(served).toBeGreaterThan(0);
    await until(() => vault.inFlight === 0, 3000, 'every call of the ended operations is aborted');
    expect(await arrivalsDuring([vault])).toBe(0);
    // The breaker is closed, so the next caller is served.
    const after = await postOverSocket(url, '{ sources { health { circuit consecutiveFailures } } }').answer;
    expect(after.body.data).toEqual({ sources: [{ health: { circuit: 'CLOSED', consecutiveFailures: 0 } }] });
    const next = await postOverSocket(url, query, { ids: ids.slice(0, 3) }).answer;
    expect(next.body.errors).toBeUndefined();
  });
});
