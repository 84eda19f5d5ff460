/**
 * The tail under a steady load below saturation, beside the bare passthrough. For each scenario and
 * server: its saturated rate at 50 connections (wrk's closed loop, as bench/versus-passthrough.ts
 * measures it, after the same warm-up), then requests sent on a fixed schedule at fractions of that
 * rate over the same 50 connections, each latency counted from its scheduled time
 * (bench/paced-load.ts). A server at 100 % of one core queues every stall it has into every request
 * behind it; at 50 or 80 % it has room to catch up, as a server an operator sizes does.
 *
 *   BENCH_FRACTIONS=0.5,0.8 BENCH_ROUNDS=2 BENCH_SECONDS=10 node bench/paced.ts
 *
 * BENCH_SCENARIOS, BENCH_WARMUP_SECONDS, BENCH_MEMORY_LIMIT, BENCH_SERVER_FLAGS, BENCH_GATEWAY_FLAGS,
 * BENCH_VARIANT_SERVER and BENCH_GATEWAY_NODE work as in bench/versus-passthrough.ts.
 */
import { fractionsFrom, type PacedReport, pacedLoad } from './paced-load.ts';
import {
  everyCore,
  interleaved,
  loadDescription,
  measureRun,
  median,
  pin,
  pinned,
  type Run,
  scenarioBodies,
  serverConditions,
  withPeakRss,
} from './side-by-side.ts';
import { benchContenders, chosenBlnkScenarios, vendorsWithFixture } from './versus-passthrough.ts';

const CONNECTIONS = 50;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);

interface Paced extends PacedReport {
  readonly fraction: number;
  readonly rate: number;
  /** Peak RSS over the paced run, in kB. */
  readonly peakRss: number;
}

const FRACTIONS = fractionsFrom(process.env.BENCH_FRACTIONS);
const { vendors, sources, ledger } = await vendorsWithFixture();
pin('1');
if (vendors.pid) pin('1', vendors.pid);
try {
  const { contenders } = benchContenders(sources);
  const scenarios = chosenBlnkScenarios(ledger);
  process.stdout.write(
    `\nthe tail below saturation: ${ROUNDS} rounds; per scenario and server its saturated rate over ${SECONDS} s, then ${SECONDS} s at ${FRACTIONS.map((fraction) => `${fraction * 100} %`).join(' and ')} of that rate on a fixed schedule, ${CONNECTIONS} connections, latency from each request's scheduled time; ${pinned ? 'servers pinned to core 0, load and simulators to core 1' : 'not pinned (no taskset)'}, Node ${process.versions.node}; saturation: ${loadDescription}${serverConditions()}\n`,
  );
  const results = await interleaved(contenders, scenarios, ROUNDS, async (server, scenario, contender) => {
    const saturated = await measureRun(server, scenario, SECONDS, CONNECTIONS);
    const bodies = scenarioBodies(scenario);
    const paced: Paced[] = [];
    for (const fraction of FRACTIONS) {
      const rate = Math.max(1, Math.round(fraction * saturated.perSecond));
      const { result: report, peakRss } = await withPeakRss(server.pid, () =>
        pacedLoad({ pool: server.pool, bodies, rate, seconds: SECONDS }),
      );
      if (report.failed > 0)
        throw new Error(`${contender.label}, ${scenario.name}: ${report.failed} answers failed at ${rate}/s`);
      paced.push({ ...report, fraction, rate, peakRss });
    }
    return { saturated, paced };
  });
  const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(1)} ms` : 'unanswered');
  for (const scenario of scenarios) {
    process.stdout.write(`\n${scenario.name} (medians over ${ROUNDS} rounds)\n`);
    for (const contender of contenders) {
      const runs = results.get(`${contender.label}\n${scenario.name}`) ?? [];
      const at = (pick: (run: { saturated: Run; paced: Paced[] }) => number) => median(runs.map(pick));
      const line = (label: string, p50: number, p99: number, extra: string) =>
        `  ${contender.label.padEnd(24)} ${label.padEnd(22)} p50 ${ms(p50).padStart(10)}  p99 ${ms(p99).padStart(10)} (${(p99 / p50).toFixed(1)}× p50)${extra}\n`;
      process.stdout.write(
        line(
          `saturated ${at((run) => run.saturated.perSecond).toFixed(0)}/s`,
          at((run) => run.saturated.p50),
          at((run) => run.saturated.p99),
          `  peak RSS ${(at((run) => run.saturated.peakRss) / 1024).toFixed(0)} MiB`,
        ),
      );
      FRACTIONS.forEach((fraction, index) => {
        const of = (pick: (paced: Paced) => number) => at((run) => pick(run.paced[index]!));
        const unanswered = runs.reduce((sum, run) => sum + run.paced[index]!.unanswered, 0);
        process.stdout.write(
          line(
            `${fraction * 100} %: ${of((paced) => paced.rate).toFixed(0)}/s`,
            of((paced) => paced.p50),
            of((paced) => paced.p99),
            `  peak RSS ${(of((paced) => paced.peakRss) / 1024).toFixed(0)} MiB  send lag p99 ${Math.max(...runs.map((run) => run.paced[index]!.sendLagP99)).toFixed(1)} ms${unanswered > 0 ? `  unanswered ${unanswered}` : ''}`,
          ),
        );
      });
    }
  }
} finally {
  pin(everyCore);
  vendors.send('stop');
}
