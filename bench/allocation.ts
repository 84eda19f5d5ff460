import { join, resolve } from 'node:path';
import type { ProbeReport } from './allocation-probe.ts';
import { checkoutBaselines, labelOf } from './baseline-trees.ts';
import { gatewayModules, serverScript } from './compiled.ts';
import {
  askInTurn,
  type BenchScenario,
  type Contender,
  forkServer,
  quantile,
  type Server,
  startPinnedVendors,
  serverConditions,
  withPeakRss,
} from './side-by-side.ts';
import { blnkFixture, chosenBlnkScenarios } from './versus-passthrough.ts';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 2000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 50);
// '1': every allocation; 'promoted': only what outlived the young GCs (bench/allocation-probe.ts).
const PROFILE = process.env.BENCH_PROFILE === '1' || process.env.BENCH_PROFILE === 'promoted';
const here = resolve(import.meta.dirname, '..');
const baselines = checkoutBaselines(here, process.env.BENCH_BASELINE?.split(',').filter(Boolean) ?? []);

const ready = await startPinnedVendors(join(here, 'bench/simulators.ts'));
const vendors = ready.process;

const gatewayOf = (label: string, root: string): Contender => ({
  label,
  start: () => forkServer(serverScript('gateway-child'), [gatewayModules(root)], ready.sources, CONCURRENCY),
});
const underTest = gatewayOf(`gateway ${labelOf(here)}`, here);
const contenders: Contender[] = [
  {
    label: 'bare passthrough',
    start: () => forkServer(serverScript('passthrough'), [], ready.sources, CONCURRENCY),
  },
  ...baselines.trees.map((tree) => gatewayOf(`gateway ${labelOf(tree)}`, tree)),
  underTest,
];

const probe = (server: Server, message: object, answer: string) => {
  const reply = new Promise<any>((resolve) => {
    const listener = (value: { probe?: string }) => {
      if (value?.probe !== answer) return;
      server.child.off('message', listener);
      resolve(value);
    };
    server.child.on('message', listener);
  });
  server.child.send(message);
  return reply;
};

interface Measured extends ProbeReport {
  p50: number;
  p99: number;
  /** Peak VmRSS sampled every 50 ms over the requests, in kB. */
  peakRss: number;
}

async function measure(server: Server, scenario: BenchScenario, profile: boolean): Promise<Measured> {
  const ask = askInTurn(server, scenario);
  for (let warm = 0; warm < 300; warm += 1) await ask();
  await probe(server, { probe: 'start', profile }, 'started');
  let sent = 0;
  const latencies: number[] = [];
  const { peakRss } = await withPeakRss(
    server.pid,
    () =>
      Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (sent < REQUESTS) {
            sent += 1;
            const begin = performance.now();
            await ask();
            latencies.push(performance.now() - begin);
          }
        }),
      ),
    50,
  );
  const report: ProbeReport = await probe(server, { probe: 'stop' }, 'stopped');
  latencies.sort((a, b) => a - b);
  const at = (q: number) => quantile(latencies, q);
  return { ...report, p50: at(0.5), p99: at(0.99), peakRss };
}

try {
  const fixtureServer = await underTest.start();
  const ledger = await blnkFixture(fixtureServer, ready.sources, ready.blnkLedger);
  await fixtureServer.stop();
  // BENCH_SCENARIOS='list of 50,unshared': only those scenarios, as in bench/versus-passthrough.ts.
  const scenarios = chosenBlnkScenarios(ledger);
  process.stdout.write(
    `allocation per request: ${REQUESTS} requests per scenario at ${CONCURRENCY} connections after 300 warm-up ones, Node ${process.versions.node}${serverConditions()}\n`,
  );
  for (const scenario of scenarios) {
    process.stdout.write(`\n${scenario.name}\n`);
    for (const contender of contenders) {
      const server = await contender.start();
      try {
        const report = await measure(
          server,
          scenario,
          PROFILE && (contender === underTest || process.env.BENCH_PROFILE_ALL === '1'),
        );
        const per = (value: number) => value / REQUESTS;
        process.stdout.write(
          `  ${contender.label.padEnd(24)} ${(per(report.allocatedBytes) / 1024).toFixed(1).padStart(7)} kB/request  CPU ${per(report.cpuMs).toFixed(3)} ms/request  ${((report.scavenges * 1000) / REQUESTS).toFixed(1)} scavenges/1k requests (${report.scavengeMs.toFixed(0)} ms in all, worst ${report.worstScavengeMs.toFixed(1)} ms)  ${report.fullGcs} full GCs (${report.fullGcMs.toFixed(0)} ms)  p50 ${report.p50.toFixed(1)} ms  p99 ${report.p99.toFixed(1)} ms (${(report.p99 / report.p50).toFixed(1)}×)  peak RSS ${(report.peakRss / 1024).toFixed(0)} MiB  live heap ${(report.liveHeapBytes / 2 ** 20).toFixed(0)} MiB  peaks: heap ${(report.peak.heapTotal / 2 ** 20).toFixed(0)} MiB (used ${(report.peak.heapUsed / 2 ** 20).toFixed(0)}), external ${(report.peak.external / 2 ** 20).toFixed(0)} MiB (array buffers ${(report.peak.arrayBuffers / 2 ** 20).toFixed(0)})\n`,
        );
        for (const { where, bytes } of report.top)
          process.stdout.write(`      ${(bytes / REQUESTS / 1024).toFixed(2).padStart(6)} kB/request  ${where}\n`);
      } finally {
        await server.stop();
      }
    }
  }
} finally {
  vendors.send('stop');
  baselines.remove();
}
