/**
 * The demo simulators in their own process for `npm run bench`, so the gateway's CPU is measured
 * apart from the vendors'. Speaks to its parent over the fork IPC channel: it sends
 * `{ sources, truth }` once listening, answers `'count'` with the upstream request counts (or one
 * vendor's with `count-vendor`), and switches a vendor's fault mode on `fault`.
 */
import { startDemoSources } from '../src/simulators/demo.ts';
import type { SimulatorFault } from '../src/simulators/faults.ts';

const demo = await startDemoSources();
const { formance, blnk, midaz } = demo.simulators;
const biggest = (truth: typeof blnk.truth) =>
  [...truth.ledgers()].sort((a, b) => truth.accounts(b.id).length - truth.accounts(a.id).length)[0]!;

process.send?.({
  type: 'ready',
  sources: demo.sources,
  blnkUrl: blnk.url,
  blnkLedger: biggest(blnk.truth),
  formanceLedger: biggest(formance.truth),
  midazLedger: biggest(midaz.truth),
});
process.on(
  'message',
  (
    message:
      | string
      | { type: 'fault'; vendor: keyof typeof demo.simulators; fault: SimulatorFault | null }
      | { type: 'count-vendor'; vendor: keyof typeof demo.simulators },
  ) => {
    if (typeof message === 'object' && message.type === 'fault') {
      void demo.simulators[message.vendor].setFault(message.fault).then(() => process.send?.({ type: 'faulted' }));
      return;
    }
    if (typeof message === 'object' && message.type === 'count-vendor') {
      process.send?.({ type: 'count', total: demo.simulators[message.vendor].requestCount });
      return;
    }
    if (message === 'count')
      process.send?.({
        type: 'count',
        total: Object.values(demo.simulators).reduce((sum, simulator) => sum + simulator.requestCount, 0),
      });
    if (message === 'stop') void demo.close().then(() => process.exit(0));
  },
);
process.on('disconnect', () => void demo.close().then(() => process.exit(0)));
