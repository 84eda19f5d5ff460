import { describe, expect, it } from 'vitest';
import { FairPermits } from '../../../src/providers/http/fair-permits.ts';

// The permit pool every HTTP client sends through: the cap, the turn order between operations, abortable waits.
describe('FairPermits', () => {
  /** Asks for a permit and records when it is granted; `release` gives it back. */
  const ask = (permits: FairPermits, owner: object, label: string, granted: string[], signal?: AbortSignal) => {
    const held = permits.acquire(owner, signal).then((release) => {
      granted.push(label);
      return release;
    });
    return { held, release: async () => (await held)() };
  };
  const settle = () => new Promise((resolve) => setImmediate(resolve));

  it('never grants more than its capacity, and a released permit goes straight to a waiter', async () => {
    const permits = new FairPermits(2);
    const granted: string[] = [];
    const owner = {};
    const calls = ['a', 'b', 'c', 'd'].map((label) => ask(permits, owner, label, granted));
    await settle();
    expect(granted).toEqual(['a', 'b']);
    expect(permits.inUse).toBe(2);
    await calls[0]!.release();
    await calls[0]!.release(); // a second release of the same permit gives nothing back
    await settle();
    expect(granted).toEqual(['a', 'b', 'c']);
    expect(permits.inUse).toBe(2);
    for (const call of calls.slice(1)) await call.release();
    await settle();
    expect(permits.inUse).toBe(0);
  });

  it('hands permits round robin between operations: a heavy queue does not delay a light one by its length', async () => {
    const permits = new FairPermits(1);
    const granted: string[] = [];
    const heavy = {};
    const light = {};
    const heavyCalls = Array.from({ length: 6 }, (_, index) => ask(permits, heavy, `h${index}`, granted));
    await settle();
    const lightCalls = [ask(permits, light, 'l0', granted), ask(permits, light, 'l1', granted)];
    await settle();
    // Release whatever holds the permit, one at a time, and watch the order of grants.
    for (let step = 0; step < 7; step += 1) {
      const holder = granted.at(-1)!;
      const call = holder.startsWith('h') ? heavyCalls[Number(holder.slice(1))] : lightCalls[Number(holder.slice(1))];
      await call!.release();
      await settle();
    }
    // The light operation arrived while the heavy one was served: it goes next, then they alternate.
    expect(granted).toEqual(['h0', 'l0', 'h1', 'l1', 'h2', 'h3', 'h4', 'h5']);
  });

  it('ends a wait when its signal aborts, with the signal reason, and loses no permit', async () => {
    const permits = new FairPermits(1);
    const granted: string[] = [];
    const first = ask(permits, {}, 'first', granted);
    const controller = new AbortController();
    const waiting = ask(permits, {}, 'aborted', granted, controller.signal);
    const after = ask(permits, {}, 'after', granted);
    await settle();
    const reason = new Error('operation over');
    controller.abort(reason);
    await expect(waiting.held).rejects.toBe(reason);
    await first.release();
    await settle();
    expect(granted).toEqual(['first', 'after']);
    await after.release();
    expect(permits.inUse).toBe(0);
    // An already aborted signal is refused without queueing.
    await expect(permits.acquire({}, controller.signal)).rejects.toBe(reason);
    expect(permits.inUse).toBe(0);
  });
});
