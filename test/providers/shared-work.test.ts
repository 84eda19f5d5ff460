import { describe, expect, it } from 'vitest';
import { OperationEnded } from '../../src/operation-end.ts';
import { callersWaitingOnSharedWork, createSharedWork } from '../../src/providers/shared-work.ts';
import { currentScope, type RequestScope, runInRequestScope } from '../../src/request-scope.ts';

/**
 * A caller outside any operation (start-up, a connector used on its own) that joins a shared run
 * waits for it at most `outsideOperationWaitMs` (OUTSIDE_OPERATION_WAIT_MS, 15 s, by default): it
 * cannot pin a run the operations have left. Here the wait is set short.
 */
class Left extends Error {
  readonly reason: unknown;
  constructor(reason: unknown) {
    super('left');
    this.reason = reason;
  }
}

function operation(): { scope: RequestScope; end: () => void } {
  const controller = new AbortController();
  return {
    scope: {
      requestId: 'op-shared-work',
      signal: controller.signal,
      operation: { upstreamLimit: 1000, upstreamSent: 0 },
    },
    end: () => controller.abort(new OperationEnded('disconnected')),
  };
}

/** Work that never settles by itself, and shows when its run is aborted (its scope's signal). */
function pinned() {
  let runSignal: AbortSignal | undefined;
  let markStarted = () => {};
  let markAborted: (reason: unknown) => void = () => {};
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });
  const aborted = new Promise<unknown>((resolve) => {
    markAborted = resolve;
  });
  const work = () => {
    runSignal = currentScope()?.signal;
    runSignal?.addEventListener('abort', () => markAborted(runSignal?.reason), { once: true });
    markStarted();
    return new Promise<string>(() => undefined);
  };
  return { work, started, aborted, signal: () => runSignal };
}

describe('shared work: a caller outside any operation', () => {
  it('pins a run its operation left for outsideOperationWaitMs only: then it gets its deadline and the run is aborted', async () => {
    const share = createSharedWork<string>((reason) => new Left(reason), { outsideOperationWaitMs: 50 });
    const run = pinned();
    const op = operation();
    const fromOperation = runInRequestScope(op.scope, () => share('key', run.work));
    await run.started;
    const outside = share('key', run.work); // joins the same run, from outside any operation
    expect(callersWaitingOnSharedWork()).toBe(2);

    op.end();
    const left = await fromOperation.catch((error: unknown) => error);
    expect(left).toBeInstanceOf(Left);
    expect(((left as Left).reason as OperationEnded).why).toBe('disconnected');
    // The outside caller still waits, and holds the run.
    expect(run.signal()?.aborted).toBe(false);
    expect(callersWaitingOnSharedWork()).toBe(1);

    const timedOut = await outside.catch((error: unknown) => error);
    expect(timedOut).toBeInstanceOf(Left);
    expect((timedOut as Left).reason).toMatchObject({ why: 'deadline', timeoutMs: 50 });
    expect(await run.aborted).toMatchObject({ why: 'deadline' });
    expect(callersWaitingOnSharedWork()).toBe(0);
  });

  it('a later caller starts a new run once the pinned one was let go', async () => {
    const share = createSharedWork<string>((reason) => new Left(reason), { outsideOperationWaitMs: 20 });
    const first = pinned();
    await share('key', first.work).catch(() => undefined);
    expect(first.signal()?.aborted).toBe(true);
    const second = await share('key', async () => 'fresh');
    expect(second).toBe('fresh');
  });
});
