/**
 * Servers measured side by side in one run, for `npm run bench` (the gateway against the bare
 * passthrough) and `npm run bench:compare` (two commits of the gateway). Each server is a process
 * of its own, one alive at a time, pinned to core 0 while the simulators and the load generator
 * share core 1 where `taskset` exists; the order alternates every round, the last contender (the
 * one under test) first. The load generator is wrk when it is on the PATH (bench/wrk.ts), else a
 * Node loop in this process. Every answer the Node loop gets is checked for the same balances as
 * that contender's first answer; under wrk, the 50 warm-up answers and one after the run are, and
 * wrk's own answers only for status 200 and no GraphQL errors. Each run reports req/s, p50/p99
 * latency, the server's CPU per request and its sampled peak RSS. A benchmark reports; it asserts
 * nothing, but a wrk run with any failed answer or socket error throws instead of reporting.
 *
 *   BENCH_LOAD=node                 the Node loop even where wrk is installed (BENCH_LOAD=wrk: wrk or fail)
 *   BENCH_NODE_ENV=development      the servers' NODE_ENV (default production, as the CLI sets it)
 *   BENCH_SERVER_FLAGS='--max-semi-space-size=16'   Node flags for every server
 *   BENCH_GATEWAY_FLAGS='--max-semi-space-size=16'  versus-passthrough: a third contender, the gateway under these flags too
 *   BENCH_VARIANT_SERVER='{"maxConcurrentRequests":64}'  versus-passthrough: that contender's `server` settings instead of BENCH_GATEWAY_SERVER's
 *   BENCH_GATEWAY_NODE=/path/to/node  versus-passthrough: that contender on another Node binary
 *   BENCH_MEMORY_LIMIT=512          every server in a memory cgroup of 512 MiB, as in a container (memory-limit.ts)
 *   BENCH_WARMUP_SECONDS=2          untimed load before each timed run (0: none), at the run's concurrency
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Pool } from 'undici';
import { memoryLimitedLaunch } from './memory-limit.ts';
import { postGraphQL } from './post-graphql.ts';
import { loadGenerator, parseWrkOutput, runWrk, SETTLE_MS, wrkFailures } from './wrk.ts';

/** Whether processes can be pinned to cores here. */
export const pinned = existsSync('/usr/bin/taskset');

/** Every core of this machine, for `pin`: what a bench gives back once its pinned runs are done. */
export const everyCore = `0-${availableParallelism() - 1}`;

/** Pins a process (default: this one) to the cores given, e.g. '1' or '0,1'. No-op without taskset. */
export function pin(cores: string, pid: number = process.pid): void {
  if (pinned) execFileSync('taskset', ['-a', '-p', '-c', cores, String(pid)], { stdio: 'ignore' });
}

/** What bench/simulators.ts reports once its vendors listen. */
export interface BenchVendors {
  readonly process: ChildProcess;
  readonly sources: Array<Record<string, unknown>>;
  readonly blnkLedger: { name: string };
}

/** Pins this process (the load generator) to core 1 and starts the simulators there, beside it. */
export async function startPinnedVendors(simulators: string): Promise<BenchVendors> {
  pin('1');
  const vendors = fork(simulators, { stdio: 'inherit' });
  const [ready] = (await once(vendors, 'message')) as [Omit<BenchVendors, 'process'>];
  if (vendors.pid) pin('1', vendors.pid);
  return { process: vendors, ...ready };
}

/** VmRSS and VmHWM of a process, in kB (Linux); zeros elsewhere. */
export function memoryOf(pid: number): { rss: number; hwm: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) => Number(status.match(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm'))?.[1] ?? 0);
    return { rss: field('VmRSS'), hwm: field('VmHWM') };
  } catch {
    return { rss: 0, hwm: 0 };
  }
}

/**
 * Runs `work` while sampling `pid`'s RSS every `everyMs`: its result, and the peak seen in kB. The
 * sampler's timer runs only while `work` is awaited.
 */
export async function withPeakRss<T>(
  pid: number,
  work: () => Promise<T>,
  everyMs = 100,
): Promise<{ result: T; peakRss: number }> {
  let peakRss = memoryOf(pid).rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, memoryOf(pid).rss)), everyMs);
  try {
    const result = await work();
    return { result, peakRss };
  } finally {
    clearInterval(sampler);
  }
}

/** The `q` quantile of ascending `sorted` values; 0 for none. */
export const quantile = (sorted: readonly number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;

/**
 * CPU time a process has used (user + system), in ms (Linux); 0 elsewhere. Per request, it is
 * steadier than req/s on a machine whose other core is busy with other work.
 */
export function cpuOf(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}
/** USER_HZ: 100 on every Linux Node runs on. */
const CLOCK_TICKS = 100;

export interface Server {
  readonly pool: Pool;
  /** The server's GraphQL endpoint, for wrk. */
  readonly url: string;
  readonly pid: number;
  /** The server's process, for its IPC channel (bench/allocation-probe.ts). */
  readonly child: ChildProcess;
  stop(): Promise<void>;
}

/** How a server differs from the bench's own Node: its flags, its environment, its binary. */
export interface ServerLaunch {
  /** Node flags after the bench's own and BENCH_SERVER_FLAGS. */
  readonly flags?: readonly string[];
  /** Its environment over the bench's own. */
  readonly env?: Readonly<Record<string, string>>;
  /** The Node binary, by default the bench's own (process.execPath). */
  readonly node?: string;
}

/**
 * Forks `script` (with `args`) as a server on core 0: it receives the demo `sources` over IPC and
 * answers `{ port }` once listening (bench/gateway-child.ts, bench/passthrough.ts).
 */
export async function forkServer(
  script: string | URL,
  args: string[],
  sources: unknown,
  connections: number,
  { flags = [], env = {}, node = process.execPath }: ServerLaunch = {},
): Promise<Server> {
  // Launcher flags under test, e.g. BENCH_SERVER_FLAGS='--max-semi-space-size=16', then this server's own.
  const nodeArguments = [...process.execArgv, ...nodeFlagsFrom(process.env.BENCH_SERVER_FLAGS), ...flags];
  const limited = memoryLimitedLaunch();
  const child: ChildProcess = fork(script, args, {
    stdio: 'inherit',
    // Every server as the CLI runs it: graphql-js without its development checks (bin/balance-gateway.js).
    env: { ...process.env, NODE_ENV: process.env.BENCH_NODE_ENV ?? 'production', ...env },
    ...(limited
      ? { execPath: limited.execPath, execArgv: limited.execArgv(node, nodeArguments) }
      : { execPath: node, execArgv: nodeArguments }),
  });
  if (child.pid) pin('0', child.pid);
  child.send(sources as object);
  const [{ port }] = (await once(child, 'message')) as [{ port: number }];
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections });
  return {
    pool,
    url: `http://127.0.0.1:${port}/graphql`,
    pid: child.pid ?? 0,
    child,
    stop: async () => {
      // Not close(): an answer still owed (a paced run's unanswered request) would be waited for without end.
      await pool.destroy();
      child.disconnect();
      await once(child, 'exit');
    },
  };
}

export interface BenchScenario {
  readonly name: string;
  readonly query: string;
  readonly variables: Record<string, unknown>;
  /**
   * Variables the timed load sends in turn instead of `variables` alone, so that requests in flight
   * at once differ (each its own vendor call, none shared). The bench's own checked answers still
   * use `variables`.
   */
  readonly variants?: ReadonlyArray<Record<string, unknown>>;
  /**
   * The balances of an answer, one `[identity, amounts]` pair each: identities must equal the reference's
   * (the first answer seen: the contender under test) in every answer; amounts that differ are
   * counted (a lossy reader shows there).
   */
  readonly balances?: (data: Record<string, any>) => Array<[string, string]>;
}

export interface Run {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  /** Peak VmRSS sampled every 100 ms during the run, in kB. */
  readonly peakRss: number;
  /** Amounts of one answer that differ from the reference's. */
  readonly amountsOff: number;
  /** The server's CPU time per answered request, in ms. */
  readonly cpuPerRequest: number;
}

/** The identities and amounts every contender must agree on: the first answer seen per scenario. */
const reference = new Map<string, Array<[string, string]>>();

function checkBalances(scenario: BenchScenario, data: Record<string, any>): number {
  if (!scenario.balances) return 0;
  const found = scenario.balances(data);
  const expected = reference.get(scenario.name);
  if (!expected) {
    if (found.length === 0) throw new Error(`${scenario.name}: the first answer lists no balances`);
    reference.set(scenario.name, found);
    return 0;
  }
  if (found.length !== expected.length || found.some(([identity], index) => identity !== expected[index]![0]))
    throw new Error(`${scenario.name}: an answer lists other balances than the reference answer`);
  return found.filter(([, amounts], index) => amounts !== expected[index]![1]).length;
}

/** What drives the timed runs (bench/wrk.ts): wrk where it is on the PATH, unless BENCH_LOAD=node. */
export const load = loadGenerator();

/**
 * Load before each timed run, not measured: a server fresh from start-up spends its first second or
 * two compiling hot code and growing its heap, and that tail (a p99 of 390 ms against 90 to 150 ms
 * warm, list of 50) belongs to start-up, not to the steady state a timed run compares.
 */
const WARMUP_SECONDS = Number(process.env.BENCH_WARMUP_SECONDS ?? 2);
if (!Number.isInteger(WARMUP_SECONDS) || WARMUP_SECONDS < 0)
  throw new Error('BENCH_WARMUP_SECONDS takes a whole number of seconds, 0 or more');

/** The load generator and what is checked under it, for a bench's header line. */
export const loadDescription =
  load === 'wrk'
    ? `load generator: wrk -t1${pinned ? ' on core 1' : ''} (BENCH_LOAD=node for the Node loop), its connections opened ${SETTLE_MS} ms before its first requests; wrk's answers are counted and checked for status 200 and no GraphQL errors but not for balances: the bench's own 50 answers before each run and one after it are; ${WARMUP_SECONDS} s of untimed load before each timed run`
    : `load generator: Node loop over undici in the bench process${process.env.BENCH_LOAD === 'node' ? ' (BENCH_LOAD=node)' : ' (no wrk on the PATH)'}; every answer checked for balances; ${WARMUP_SECONDS} s of untimed load before each timed run`;

/** Node flags from an environment variable's value: words separated by spaces. */
export function nodeFlagsFrom(value: string | undefined): string[] {
  return value?.split(' ').filter(Boolean) ?? [];
}

/** What the servers run under beyond the defaults (BENCH_SERVER_FLAGS, BENCH_MEMORY_LIMIT), for a bench's header. */
export function serverConditions(): string {
  const flags = process.env.BENCH_SERVER_FLAGS;
  const limit = memoryLimitedLaunch()?.description;
  return [flags ? `server flags ${flags}` : '', limit ?? '']
    .filter(Boolean)
    .map((part) => `; ${part}`)
    .join('');
}

/** One timed run's load: how many answers, and the latencies in ms. */
interface Timed {
  readonly requests: number;
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
}

/** `concurrency` loops of `ask` in this process for `seconds`. */
async function nodeLoop(ask: () => Promise<unknown>, seconds: number, concurrency: number): Promise<Timed> {
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const begin = performance.now();
        await ask();
        latencies.push(performance.now() - begin);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => quantile(latencies, q);
  return { requests: latencies.length, perSecond: latencies.length / elapsed, p50: at(0.5), p99: at(0.99) };
}

/** The POST bodies a load sends for `scenario`, in turn: one per variant, else its variables. */
export function scenarioBodies(scenario: BenchScenario): string[] {
  return (scenario.variants ?? [scenario.variables]).map((variables) =>
    JSON.stringify({ query: scenario.query, variables }),
  );
}

/** wrk POSTing the scenario's body at `concurrency` connections for `seconds`; throws on any failed answer. */
async function wrkLoad(server: Server, scenario: BenchScenario, seconds: number, concurrency: number): Promise<Timed> {
  const output = await runWrk({
    url: server.url,
    bodies: scenarioBodies(scenario),
    connections: concurrency,
    seconds,
    pinToCore1: pinned,
  });
  const report = parseWrkOutput(output);
  const failures = wrkFailures(report);
  if (failures) throw new Error(`${scenario.name}: the wrk run had failures, so it is not reported: ${failures}`);
  return report;
}

/**
 * Drives `scenario` at `concurrency` for `seconds` over `server` with the load generator (`load`),
 * after 50 requests from this process and WARMUP_SECONDS of untimed load. Every answer this process gets is checked for
 * balances; wrk's only for status and errors (wrkScript).
 */
export async function measureRun(
  server: Server,
  scenario: BenchScenario,
  seconds: number,
  concurrency: number,
): Promise<Run> {
  let amountsOff = 0;
  const ask = async () => {
    const off = checkBalances(scenario, (await postGraphQL(server.pool, scenario.query, scenario.variables)).data);
    amountsOff = Math.max(amountsOff, off);
  };
  const drive = (forSeconds: number) =>
    load === 'wrk'
      ? wrkLoad(server, scenario, forSeconds, concurrency)
      : nodeLoop(scenario.variants ? askInTurn(server, scenario) : ask, forSeconds, concurrency);
  for (let warm = 0; warm < 50; warm += 1) await ask();
  if (WARMUP_SECONDS > 0) await drive(WARMUP_SECONDS);
  const cpuBefore = cpuOf(server.pid);
  // wrk runs under an async execFile, so the sampler's timer runs while it does.
  const { result: timed, peakRss } = await withPeakRss(server.pid, () => drive(seconds));
  const cpuPerRequest = (cpuOf(server.pid) - cpuBefore) / Math.max(1, timed.requests);
  // wrk's answers carried no balance check: one more answer, after the load, does.
  if (load === 'wrk') await ask();
  const { perSecond, p50, p99 } = timed;
  return { perSecond, p50, p99, peakRss, amountsOff, cpuPerRequest };
}

/**
 * Asks `scenario` with its `variants` in turn, checking each answer for errors only (its balances
 * differ by variant; the bench's own answers with `variables` are checked for them).
 */
export function askInTurn(server: Server, scenario: BenchScenario): () => Promise<unknown> {
  const variants = scenario.variants ?? [scenario.variables];
  let sent = 0;
  return () => postGraphQL(server.pool, scenario.query, variants[sent++ % variants.length]);
}

export interface Contender {
  readonly label: string;
  start(): Promise<Server>;
}

/**
 * Measures every scenario on every contender with `measure` for `rounds` rounds, one server alive
 * at a time, the order alternating and the last contender first, so its answers are the reference.
 * Keyed `${contender}\n${scenario}`, one result per round.
 */
export async function interleaved<T>(
  contenders: readonly Contender[],
  scenarios: readonly BenchScenario[],
  rounds: number,
  measure: (server: Server, scenario: BenchScenario, contender: Contender) => Promise<T>,
): Promise<Map<string, T[]>> {
  const results = new Map<string, T[]>();
  for (let round = 0; round < rounds; round += 1) {
    const order = round % 2 === 0 ? [...contenders].reverse() : contenders;
    for (const contender of order) {
      const server = await contender.start();
      try {
        for (const scenario of scenarios) {
          const result = await measure(server, scenario, contender);
          const key = `${contender.label}\n${scenario.name}`;
          results.set(key, [...(results.get(key) ?? []), result]);
        }
      } finally {
        await server.stop();
      }
      process.stdout.write(`  round ${round + 1}: ${contender.label} done\n`);
    }
  }
  return results;
}

/** `interleaved` with the timed runs of `measureRun`. */
export function sideBySide(
  contenders: readonly Contender[],
  scenarios: readonly BenchScenario[],
  options: { rounds: number; seconds: number; concurrency: number },
): Promise<Map<string, Run[]>> {
  return interleaved(contenders, scenarios, options.rounds, (server, scenario) =>
    measureRun(server, scenario, options.seconds, options.concurrency),
  );
}

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const describe = (values: number[]) =>
  `${median(values).toFixed(0).padStart(5)} (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;
const MiB = (kB: number) => `${(kB / 1024).toFixed(0)} MiB`;

/**
 * Prints req/s per scenario and contender (median, min–max over the rounds) and the ratio of each
 * later contender's median to the first's, then each one's p50/p99 (medians) and peak RSS.
 */
export function printSideBySide(
  runs: Map<string, Run[]>,
  contenders: readonly Contender[],
  scenarios: readonly BenchScenario[],
): void {
  const [first, ...others] = contenders as [Contender, ...Contender[]];
  const last = contenders.at(-1)!;
  // Each contender after the first against the first: with two, the one ratio as before.
  const named = (contender: Contender) => (others.length > 1 ? `${contender.label}: ` : '');
  const whom = others.length > 1 ? 'each' : others[0]!.label;
  const versus = (values: readonly number[], over: (other: number) => number) =>
    others.map((other, index) => `${named(other)}${over(values[index + 1]!).toFixed(2)}x`).join(', ');
  process.stdout.write(
    `\n${'scenario'.padEnd(40)} ${contenders.map((contender) => contender.label.padEnd(22)).join(' ')} ratio ${whom} ÷ ${first.label}\n`,
  );
  for (const scenario of scenarios) {
    const of = (contender: Contender) => runs.get(`${contender.label}\n${scenario.name}`) ?? [];
    const rates = contenders.map((contender) => of(contender).map((run) => run.perSecond));
    const medians = rates.map(median);
    process.stdout.write(
      `${scenario.name.padEnd(40)} ${rates.map((values) => describe(values).padEnd(22)).join(' ')} ${versus(medians, (other) => other / medians[0]!)} over ${rates.at(-1)!.length} runs each (spread max/min: ${contenders.map((_, index) => (Math.max(...rates[index]!) / Math.min(...rates[index]!)).toFixed(2)).join(', ')})\n`,
    );
    const cpu = contenders.map((contender) => median(of(contender).map((run) => run.cpuPerRequest)));
    process.stdout.write(
      `  server CPU per request: ${contenders.map((contender, index) => `${contender.label} ${cpu[index]!.toFixed(2)} ms`).join(', ')}; ${first.label} ÷ ${whom}: ${versus(cpu, (other) => cpu[0]! / other)} (steadier than req/s on a busy machine)\n`,
    );
    for (const contender of contenders) {
      const own = of(contender);
      const p50 = median(own.map((run) => run.p50));
      const p99 = median(own.map((run) => run.p99));
      const off = Math.max(...own.map((run) => run.amountsOff));
      process.stdout.write(
        `  ${contender.label.padEnd(38)} p50 ${p50.toFixed(1).padStart(6)} ms  p99 ${p99.toFixed(1).padStart(6)} ms (${(p99 / p50).toFixed(1)}× p50)  peak RSS ${MiB(Math.max(...own.map((run) => run.peakRss)))}${off ? `  amounts differing from ${last.label}'s: ${off} of ${own.length ? (reference.get(scenario.name)?.length ?? 0) : 0}` : ''}\n`,
      );
    }
  }
}

/**
 * RSS over a long run: drives `scenario` on a fresh `contender` until `requests` answers or
 * `maxSeconds`, printing the server's VmRSS at every tenth of the way (in requests or in time,
 * whichever comes first), then its high-water mark.
 */
export async function longRun(
  contender: Contender,
  scenario: BenchScenario,
  options: { requests: number; maxSeconds: number; concurrency: number },
): Promise<void> {
  const server = await contender.start();
  const started = performance.now();
  const deadline = started + options.maxSeconds * 1000;
  const step = Math.max(1, Math.floor(options.requests / 10));
  let done = 0;
  const report = () =>
    process.stdout.write(
      `  after ${String(done).padStart(8)} requests, ${((performance.now() - started) / 1000).toFixed(0).padStart(4)} s: RSS ${MiB(memoryOf(server.pid).rss)}\n`,
    );
  process.stdout.write(
    `\nlong run: ${contender.label}, "${scenario.name}", ${options.concurrency} connections, up to ${options.requests} requests or ${options.maxSeconds} s\n`,
  );
  const ticker = setInterval(report, (options.maxSeconds * 1000) / 10);
  try {
    await Promise.all(
      Array.from({ length: options.concurrency }, async () => {
        while (done < options.requests && performance.now() < deadline) {
          checkBalances(scenario, (await postGraphQL(server.pool, scenario.query, scenario.variables)).data);
          done += 1;
          if (done % step === 0) report();
        }
      }),
    );
    process.stdout.write(`  ${done} requests; high-water mark (VmHWM) ${MiB(memoryOf(server.pid).hwm)}\n`);
  } finally {
    clearInterval(ticker);
    await server.stop();
  }
}
