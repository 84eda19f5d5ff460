/**
 * One gateway in a process of its own, built from the source tree given as the first argument
 * (this checkout, or an older commit checked out by `bench/compare.ts`). It receives the demo's
 * `sources` entries over IPC, listens on a free loopback port and reports it. Only entry points
 * every version of the gateway has are used: `parseConfig`, `createGateway`, `createLogger`.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { answerAllocationProbe } from './allocation-probe.ts';
import { recordTimeline } from './timeline.ts';

const root = process.argv[2];
if (!root) throw new Error('usage: gateway-child.ts <source tree>');
const load = (file: string) => import(pathToFileURL(`${root}/src/${file}`).href);
const [{ parseConfig }, { createGateway }, { createLogger }] = await Promise.all([
  load('config.ts'),
  load('gateway.ts'),
  load('logger.ts'),
]);

answerAllocationProbe();
process.once('message', (sources: Array<Record<string, unknown>>) => {
  const config = parseConfig({ server: { cursorSecret: 'bench-cursor-secret-0123456789' }, sources });
  const gateway = createGateway(config, { logger: createLogger('silent') });
  const listener = createServer(gateway.yoga);
  // BENCH_TIMELINE=<directory>: what this server did, event by event (bench/timeline.ts).
  if (process.env.BENCH_TIMELINE) recordTimeline(listener, process.env.BENCH_TIMELINE);
  listener.listen(0, '127.0.0.1', () => {
    process.send?.({ port: (listener.address() as AddressInfo).port });
  });
  process.on('disconnect', () => {
    listener.close();
    void gateway.close().then(() => process.exit(0));
  });
});
