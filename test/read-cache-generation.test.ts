import { afterEach, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { createGateway, type Gateway } from '../src/gateway.ts';
import { createLogger } from '../src/logger.ts';
import { type DemoSources, startDemoSources } from '../src/simulators/demo.ts';
import { type HeldVendor, startHeldVendor } from './helpers/held-vendor.ts';

// The read cache's generations, in process: a read in flight while a top-up forgets the source's
// cached reads must not put back, after it, what it read before it.

const SUBACCOUNTS = '{ sources { name ledgers { nodes { accounts(first: 10) { nodes { address } } } } } }';
const TOP_UP = 'mutation { topUp(input: { source: "vonage-demo", trx: "00X123456Y7890123Z" }) { outcome } }';

let demo: DemoSources | undefined;
let held: HeldVendor | undefined;
let gateway: Gateway | undefined;
afterEach(async () => {
  await gateway?.close();
  await held?.close();
  await demo?.close();
  gateway = undefined;
  held = undefined;
  demo = undefined;
});

/** The simulators and a gateway caching Vonage reads, its Subaccounts API behind a held vendor (balance reads and the top-up reach Vonage at once). */
async function start(): Promise<void> {
  demo = await startDemoSources();
  const vonage = demo.sources.find((source) => source.name === 'vonage-demo')!;
  held = await startHeldVendor(String(vonage.url));
  gateway = createGateway(
    parseConfig({
      server: { cursorSecret: 'test-cursor-secret-0123456789' },
      sources: [{ ...vonage, subaccountsUrl: held.url, cache: { ttlMs: 60_000 } }],
    }),
    { logger: createLogger('silent') },
  );
}

async function ask(query: string): Promise<{ errors?: unknown[] }> {
  const response = await gateway!.yoga.fetch('http://gateway/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query }),
  });
  return (await response.json()) as { errors?: unknown[] };
}

describe('the read cache across a top-up', () => {
  it('a read that left before a top-up and answers after it is not kept: the next read goes to the vendor', async () => {
    await start();
    const before = ask(SUBACCOUNTS);
    await held!.waitForHeld(1);
    expect((await ask(TOP_UP)).errors).toBeUndefined();
    await held!.release({ open: true });
    expect((await before).errors).toBeUndefined();
    const calls = held!.calls;
    expect((await ask(SUBACCOUNTS)).errors).toBeUndefined();
    expect(held!.calls).toBe(calls + 1);
    // And the read after the top-up is kept as usual.
    expect((await ask(SUBACCOUNTS)).errors).toBeUndefined();
    expect(held!.calls).toBe(calls + 1);
  });

  it('a read looked up after a top-up does not join a call that left before it: it asks the vendor, and its answer is kept', async () => {
    await start();
    const before = ask(SUBACCOUNTS);
    await held!.waitForHeld(1);
    expect((await ask(TOP_UP)).errors).toBeUndefined();
    // Joining the call in flight would store its pre-top-up answer under the new generation.
    const after = ask(SUBACCOUNTS);
    await held!.waitForHeld(2);
    await held!.release({ open: true });
    expect((await before).errors).toBeUndefined();
    expect((await after).errors).toBeUndefined();
    const calls = held!.calls;
    expect((await ask(SUBACCOUNTS)).errors).toBeUndefined();
    expect(held!.calls).toBe(calls);
  });
});
