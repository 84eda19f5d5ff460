import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AdmissionGate, type AdmissionOutcome } from '../src/plugins/admission-gate.ts';

/**
 * The gate's slots narrow while it sheds load and widen once it is calm (src/plugins/admission-gate.ts).
 * The gate has no HTTP in it; test/admission.test.ts drives it through a real socket. Here its
 * clock (`performance.now`) and its queue timers are vitest's, so "once queueTimeoutMs has passed"
 * is a step of the test rather than a wait.
 */
beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A waiter's promise, with what it settled to so far. */
function track(entered: AdmissionOutcome | Promise<AdmissionOutcome>) {
  const seen: { outcome?: AdmissionOutcome } = {};
  if (typeof entered === 'string') seen.outcome = entered;
  else void entered.then((outcome) => (seen.outcome = outcome));
  return seen;
}

describe('AdmissionGate while shedding', () => {
  it('narrows to sheddingConcurrent on a refusal, lets the extra requests finish, and widens once calm', async () => {
    const gate = new AdmissionGate({ maxConcurrent: 4, sheddingConcurrent: 2, maxQueued: 1, queueTimeoutMs: 1000 });
    for (let index = 0; index < 4; index += 1) expect(gate.enter()).toBe('admitted');
    expect(gate.slots).toBe(4);
    const waiting = track(gate.enter());
    expect(gate.enter()).toBe('queue-full');
    expect(gate.slots).toBe(2);

    // Four in flight over two slots: the first two releases free their slots, the third passes on.
    gate.release();
    gate.release();
    await vi.advanceTimersByTimeAsync(0);
    expect([gate.inFlight, gate.queued, waiting.outcome]).toEqual([2, 1, undefined]);
    gate.release();
    await vi.advanceTimersByTimeAsync(0);
    expect([gate.inFlight, gate.queued, waiting.outcome]).toEqual([2, 0, 'admitted']);

    // Still narrow with the queue empty until queueTimeoutMs has passed since the refusal.
    const second = track(gate.enter());
    expect([second.outcome, gate.queued]).toEqual([undefined, 1]);
    gate.release();
    await vi.advanceTimersByTimeAsync(0);
    expect(second.outcome).toBe('admitted');
    gate.release();
    gate.release();
    expect(gate.inFlight).toBe(0);
    await vi.advanceTimersByTimeAsync(999);
    expect(gate.slots).toBe(2);
    await vi.advanceTimersByTimeAsync(1);
    expect(gate.slots).toBe(4);
    for (let index = 0; index < 4; index += 1) expect(gate.enter()).toBe('admitted');
  });

  it('narrows on a wait that runs out too, and stays narrow while anyone waits', async () => {
    const gate = new AdmissionGate({ maxConcurrent: 2, sheddingConcurrent: 1, maxQueued: 5, queueTimeoutMs: 100 });
    gate.enter();
    gate.enter();
    const first = track(gate.enter());
    await vi.advanceTimersByTimeAsync(100);
    expect([first.outcome, gate.slots]).toEqual(['queue-timeout', 1]);
    // A waiter that came later keeps the slots narrow past the refusal's queueTimeoutMs.
    await vi.advanceTimersByTimeAsync(50);
    const later = track(gate.enter());
    await vi.advanceTimersByTimeAsync(60);
    expect([later.outcome, gate.queued, gate.slots]).toEqual([undefined, 1, 1]);
    gate.release(); // two in flight over one slot: freed, not passed on
    await vi.advanceTimersByTimeAsync(0);
    expect(later.outcome).toBeUndefined();
    gate.release();
    await vi.advanceTimersByTimeAsync(0);
    expect([later.outcome, gate.inFlight]).toEqual(['admitted', 1]);
    expect(gate.slots).toBe(2);
  });

  it('never lets anyone past the slots or ahead of the queue, and gives back every slot, whatever comes', async () => {
    type Step =
      | { kind: 'enter' }
      | { kind: 'release' }
      | { kind: 'leave'; which: number }
      | { kind: 'wait'; ms: number };
    const step = fc.oneof(
      fc.constant<Step>({ kind: 'enter' }),
      fc.constant<Step>({ kind: 'release' }),
      fc.nat(20).map<Step>((which) => ({ kind: 'leave', which })),
      fc.integer({ min: 1, max: 200 }).map<Step>((ms) => ({ kind: 'wait', ms })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 0, max: 2 }),
        fc.array(step, { minLength: 20, maxLength: 80 }),
        async (most, shedding, maxQueued, steps) => {
          const limits = {
            maxConcurrent: most,
            sheddingConcurrent: Math.min(shedding, most),
            maxQueued,
            queueTimeoutMs: 300,
          };
          const gate = new AdmissionGate(limits);
          let holding = 0; // slots handed out and not yet released
          const admittedOrder: number[] = [];
          const waiters: Array<{ id: number; leave: AbortController; seen: { outcome?: AdmissionOutcome } }> = [];
          let next = 0;
          for (const action of steps) {
            if (action.kind === 'enter') {
              const id = next++;
              const leave = new AbortController();
              const entered = gate.enter(() => leave.signal);
              if (entered === 'admitted') {
                // A newcomer never passes a waiter.
                expect(gate.queued).toBe(0);
                holding += 1;
              } else if (typeof entered !== 'string') {
                const seen: { outcome?: AdmissionOutcome } = {};
                void entered.then((outcome) => {
                  seen.outcome = outcome;
                  if (outcome === 'admitted') {
                    holding += 1;
                    admittedOrder.push(id);
                  }
                });
                waiters.push({ id, leave, seen });
              }
            } else if (action.kind === 'release' && holding > 0) {
              holding -= 1;
              gate.release();
            } else if (action.kind === 'leave') {
              const still = waiters.filter((waiter) => waiter.seen.outcome === undefined);
              still[action.which % Math.max(1, still.length)]?.leave.abort();
            } else if (action.kind === 'wait') {
              await vi.advanceTimersByTimeAsync(action.ms);
            }
            await vi.advanceTimersByTimeAsync(0);
            expect(gate.inFlight).toBe(holding);
            expect(holding).toBeLessThanOrEqual(most);
            // Anyone waiting means every slot of the current limit is taken.
            if (gate.queued > 0) expect(gate.inFlight).toBeGreaterThanOrEqual(gate.slots);
          }
          // Waiters got their slots in the order they came.
          expect(admittedOrder).toEqual([...admittedOrder].sort((a, b) => a - b));
          while (holding > 0) {
            holding -= 1;
            gate.release();
            await vi.advanceTimersByTimeAsync(0);
          }
          await vi.advanceTimersByTimeAsync(1000);
          expect([gate.inFlight, gate.queued, gate.slots]).toEqual([0, 0, most]);
          expect(waiters.every((waiter) => waiter.seen.outcome !== undefined)).toBe(true);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
