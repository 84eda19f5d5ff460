import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_SERVER, parseConfig } from '../src/config.ts';
import { ConfigError } from '../src/errors.ts';
import { callersWaitingOnSharedWork } from '../src/providers/shared-work.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';
import { arrivalsDuring, postOverSocket, until } from './helpers/sockets.ts';

/**
 * One deadline per operation, end to end (`server.requestTimeoutMs`), and the operation's end
 * reaching every vendor call it started: through the real gateway, real sockets and the vendor
 * simulators, counting the calls that reach them.
 */
const LEDGERS = '{ ledgers(first: 100) { nodes { name source { name } } } }';
type Ledgers = { ledgers: { nodes: Array<{ name: string; source: { name: string } }> } };

describe('server.requestTimeoutMs', () => {
  const sources = [{ name: 'a', kind: 'blnk', url: 'http://127.0.0.1:1' }];
  it('defaults to 15 s and is range-checked, naming the field and never the value', () => {
    expect(DEFAULT_SERVER.requestTimeoutMs).toBe(15_000);
    expect(parseConfig({ sources }).server.requestTimeoutMs).toBe(15_000);
    expect(parseConfig({ server: { requestTimeoutMs: '2500' }, sources }).server.requestTimeoutMs).toBe(2500);
    for (const bad of [99, 600_001, 1.5, 'soon'])
      expect(() => parseConfig({ server: { requestTimeoutMs: bad }, sources })).toThrow(
        new ConfigError('server.requestTimeoutMs: must be an integer from 100 to 600000'),
      );
  });
});

describe('the operation deadline: a hung vendor and a 3 s deadline', () => {
  let t: TestGateway;
  let healthy: Ledgers['ledgers']['nodes'];
  beforeAll(async () => {
    // The hung source's own deadline (60 s) is far past the operation's: only the operation's can end its call.
    t = await startTestGateway({
      server: { requestTimeoutMs: 3000 },
      sources: { 'blnk-demo': { timeoutMs: 60_000 } },
    });
    // Warm what a running gateway keeps (tokens, ledger facts), so the healthy four answer well inside 3 s.
    for (let round = 0; round < 2; round += 1) {
      const warm = await t.query<Ledgers>(LEDGERS);
      expect(warm.body.errors).toBeUndefined();
      healthy = warm.body.data!.ledgers.nodes;
    }
  });
  afterAll(() => t?.close());
  afterEach(() => t.demo.simulators.blnk.setFault(null));

  it('answers with the other sources’ data and OPERATION_TIMEOUT naming the hung one; its call is aborted and none follows', async () => {
    const blnk = t.demo.simulators.blnk;
    await blnk.setFault('hang');
    await t.resetUpstream();
    const response = await t.query<Ledgers>(LEDGERS);
    expect(response.status).toBe(200);
    expect(response.body.data!.ledgers.nodes).toEqual(healthy.filter((node) => node.source.name !== 'blnk-demo'));
    expect(response.body.errors).toEqual([
      {
        message: `the operation's deadline (3000 ms) passed before source "blnk-demo" answered`,
        locations: [{ line: 1, column: 3 }],
        path: ['ledgers'],
        extensions: { code: 'OPERATION_TIMEOUT', source: 'blnk-demo' },
      },
    ]);
    // The hung call was cut (its socket closed at the vendor), long before the source's own 60 s timeout.
    await until(() => blnk.inFlight === 0, 3000, 'the hung Blnk call is aborted');
    expect(await arrivalsDuring(Object.values(t.demo.simulators))).toBe(0);
    // Not a vendor failure: the breaker did not count it.
    const health = await t.query<{
      sources: Array<{ name: string; health: { circuit: string; consecutiveFailures: number } }>;
    }>('{ sources { name health { circuit consecutiveFailures } } }');
    expect(health.body.data!.sources.find((source) => source.name === 'blnk-demo')!.health).toEqual({
      circuit: 'CLOSED',
      consecutiveFailures: 0,
    });
  });
});

describe('the operation ends when its client leaves or its answer is sent', () => {
  let t: TestGateway;
  let url: string;
  beforeAll(async () => {
    t = await startTestGateway({ server: { requestTimeoutMs: 60_000 } });
    url = await t.listen();
  });
  afterAll(() => t?.close());
  afterEach(() => t.demo.simulators.blnk.setFault(null));

  it('a client that goes away aborts the vendor calls of its request (yoga’s request.signal over a real socket)', async () => {
    const blnk = t.demo.simulators.blnk;
    await blnk.setFault('hang');
    await t.resetUpstream();
    const client = postOverSocket(url, LEDGERS);
    await until(() => blnk.inFlight === 1, 5000, 'the Blnk call is in flight');
    client.leave();
    // Blnk's own timeout is 5 s and the operation's 60 s: only the client leaving can cut it this soon.
    await until(() => blnk.inFlight === 0, 3000, 'the Blnk call is aborted');
    expect(await arrivalsDuring(Object.values(t.demo.simulators))).toBe(0);
  });

  it('a merged list’s read ahead that the page did not need stops with the answer', async () => {
    const blnk = t.demo.simulators.blnk;
    await blnk.setFault('hang');
    await t.resetUpstream();
    // The first source fills a page of one: Blnk's read ahead is not waited for, and must not outlive the answer.
    const response = await t.query<Ledgers>('{ ledgers(first: 1) { nodes { name source { name } } } }');
    expect(response.body.errors).toBeUndefined();
    expect(response.body.data!.ledgers.nodes).toEqual([expect.objectContaining({ source: { name: 'formance-demo' } })]);
    await until(() => blnk.inFlight === 0, 3000, 'the Blnk read ahead is aborted');
    expect(await arrivalsDuring(Object.values(t.demo.simulators))).toBe(0);
  });

  it('a vendor GET two operations share survives one leaving and is aborted when both have left', async () => {
    const blnk = t.demo.simulators.blnk;
    const ledger = blnk.truth.ledgers()[0]!;
    const query = `{ ledger(id: "${encodeGlobalId('Ledger', ['blnk-demo', ledger.id])}") { name } }`;
    await blnk.setFault('hang');
    await t.resetUpstream();
    const first = postOverSocket(url, query);
    await until(() => blnk.inFlight === 1, 5000, 'the Blnk call is in flight');
    const second = postOverSocket(url, query);
    // The second request reaches the same GET and joins it (a call of its own would count).
    await until(() => callersWaitingOnSharedWork() === 2, 5000, 'the second request joins the Blnk call');
    expect(blnk.requestCount).toBe(1);
    expect(blnk.arrivals).toBe(1);
    first.leave();
    await until(() => callersWaitingOnSharedWork() === 1, 3000, 'the first request leaves the Blnk call');
    expect(blnk.inFlight).toBe(1); // still there for the second
    second.leave();
    await until(() => blnk.inFlight === 0, 3000, 'the shared Blnk call is aborted');
    expect(blnk.requestCount).toBe(1);
    expect(await arrivalsDuring(Object.values(t.demo.simulators))).toBe(0);
  });
});
