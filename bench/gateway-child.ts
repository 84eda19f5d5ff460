/**
 * One gateway in a process of its own, from the directory of gateway modules given as the first
 * argument (bench/compiled.ts `gatewayModules`: a tree's compiled JavaScript, or its src/) of this
 * checkout or of an older commit checked out by `bench/compare.ts`. It receives the demo's `sources`
 * entries over IPC, listens on a free loopback port and reports it. Only entry points every version
 * of the gateway has are used: `parseConfig`, `createGateway`, `createLogger`; and, where the tree
 * has one, the drainable HTTP server the CLI serves through (`drain`), else node:http's own.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { answerAllocationProbe } from './allocation-probe.ts';
import { hasGatewayModule, importGatewayModule } from './gateway-modules.ts';
import { recordTimeline } from './timeline.ts';

const modules = process.argv[2];
if (!modules) throw new Error('usage: gateway-child.ts <directory of gateway modules>');
const load = (name: string) => importGatewayModule(modules, name);
const [{ parseConfig }, { createGateway }, { createLogger }] = await Promise.all([
  load('config'),
  load('gateway'),
  load('logger'),
]);
const drainable = hasGatewayModule(modules, 'drain') ? (await load('drain')).createDrainableServer : undefined;

answerAllocationProbe();
process.once('message', (sources: Array<Record<string, unknown>>) => {
  // BENCH_GATEWAY_SERVER='{"maxConcurrentRequests":8}': `server` settings under test, over the bench's own.
  const server = {
    cursorSecret: 'bench-cursor-secret-0123456789',
    ...JSON.parse(process.env.BENCH_GATEWAY_SERVER ?? '{}'),
  };
  const config = parseConfig({ server, sources });
  const gateway = createGateway(config, { logger: createLogger('silent') });
  // As bin/balance-gateway.js serves it (src/cli.ts).
  const listener = drainable ? drainable({ requestTimeout: 30_000 }, gateway.yoga).server : createServer(gateway.yoga);
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
