import { describe, expect, it } from 'vitest';
import { startMidazSimulator } from '../src/simulators/midaz/index.ts';

/**
 * The simulators count calls when they arrive, not only when they are answered: a call the client
 * aborted, or one still waiting for its answer, is a call the vendor received (tests that bound a
 * gateway's vendor calls count with `arrivals`).
 */
describe('simulator arrivals', () => {
  it('count a call still waiting for its answer, and one the client aborted; resetRequests starts again', async () => {
    const simulator = await startMidazSimulator({ latencyMs: 2_000 });
    try {
      const abort = new AbortController();
      const call = fetch(`${simulator.url}/health`, { signal: abort.signal }).catch(() => null);
      while (simulator.arrivals === 0) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(simulator.requestCount).toBe(0); // not answered yet: invisible to the answer log
      expect(simulator.arrivals).toBe(1);
      expect(simulator.arrivedPaths).toEqual(['/health']);
      abort.abort();
      await call;
      expect(simulator.arrivals).toBe(1);
      simulator.resetRequests();
      expect(simulator.arrivals).toBe(0);
      expect(simulator.arrivedPaths).toEqual([]);
    } finally {
      await simulator.close();
    }
  });
});
