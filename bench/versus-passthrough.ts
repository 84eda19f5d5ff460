/**
 * The gateway against the bare passthrough (bench/passthrough.ts) on the three Blnk scenarios of
 * issue 14: each server in a process of its own, one alive at a time, interleaved over the rounds,
 * on core 0, while the load generator (wrk when installed, else this process: bench/wrk.ts) and
 * the simulators share core 1. Prints gateway ÷ passthrough req/s per scenario with the runs and
 * their spread, p50/p99 and peak RSS. Part of `npm run bench`; runs alone too:
 *
 *   BENCH_ROUNDS=3 BENCH_SECONDS=5 node bench/versus-passthrough.ts
 *   BENCH_PASSTHROUGH_CONCURRENCY=50                connections (default 50)
 *   BENCH_LOAD=node                                 the Node loop as load generator even where wrk is installed
 *   BENCH_GATEWAY_FLAGS='--max-semi-space-size=16 --heap-growing-percent=50'
 *                                                   a third contender: the gateway under these Node flags too (what a
 *                                                   memory bound costs, in the same run; bench/PASSES.md, "Tenth pass")
 *   BENCH_VARIANT_SERVER='{"maxConcurrentRequests":64}'
 *                                                   a third contender too: the gateway under these `server` settings
 *                                                   (instead of BENCH_GATEWAY_SERVER's), with BENCH_GATEWAY_FLAGS if set
 *   BENCH_GATEWAY_NODE=/path/to/node                a third contender too: the gateway on that Node binary (say another
 *                                                   release line: `npm i --prefix /tmp/n node@24`), with the others if set
 *   BENCH_LONG_REQUESTS=1000000 BENCH_LONG_SECONDS=900   then the gateway's RSS over a long run of the first scenario (the list)
 *   BENCH_SCENARIOS='by id,unshared'                only the scenarios whose names hold one of these (case-insensitive)
 */
import { type ChildProcess, execFileSync, fork } from 'node:child_process';
import { once } from 'node:events';
import { resolve } from 'node:path';
import { gatewayModules, serverScript } from './compiled.ts';
import { postGraphQL } from './post-graphql.ts';
import { blnkScenarios } from './scenarios.ts';
import {
  type BenchScenario,
  type Contender,
  everyCore,
  forkServer,
  loadDescription,
  nodeFlagsFrom,
  serverConditions,
  longRun,
  pin,
  pinned,
  printSideBySide,
  sideBySide,
  type Server,
} from './side-by-side.ts';

const here = resolve(import.meta.dirname, '..');

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_PASSTHROUGH_CONCURRENCY ?? 50);

/** A Blnk ledger's global id and 50 of its accounts' global ids, as the gateway lists them. */
export interface BlnkFixture {
  readonly id: string;
  readonly accounts: { readonly nodes: ReadonlyArray<{ readonly id: string }> };
}

/**
 * The Blnk ledger the bench reads (the simulators' `blnkLedger`) and 50 of its accounts, as a
 * running gateway lists them: its global ids are what both servers take.
 */
export async function blnkFixture(
  gateway: Server,
  sources: ReadonlyArray<Record<string, unknown>>,
  blnkLedger: { name: string },
): Promise<BlnkFixture> {
  const { data } = await postGraphQL(
    gateway.pool,
    '{ ledgers(first: 100) { nodes { id name source { name } accounts(first: 50) { nodes { id } } } } }',
  );
  const blnk = sources.find((source) => source.kind === 'blnk')?.name;
  const ledger = (data.ledgers.nodes as Array<BlnkFixture & { name: string; source: { name: string } }>).find(
    (node) => node.source.name === blnk && node.name === blnkLedger.name,
  );
  if (!ledger) throw new Error(`the gateway lists no Blnk ledger named "${blnkLedger.name}"`);
  return ledger;
}

/**
 * The scenarios whose names hold one of `filter`'s comma-separated words (case-insensitive), all of
 * them without one. A filter that names none fails rather than run nothing.
 */
export function chosenScenarios<T extends { readonly name: string }>(
  all: readonly T[],
  filter: string | undefined,
): T[] {
  const words = (filter ?? '')
    .split(',')
    .map((word) => word.trim().toLowerCase())
    .filter(Boolean);
  if (words.length === 0) return [...all];
  const chosen = all.filter((scenario) => words.some((word) => scenario.name.toLowerCase().includes(word)));
  if (chosen.length === 0)
    throw new Error(`BENCH_SCENARIOS="${filter}" names none of: ${all.map((scenario) => scenario.name).join('; ')}`);
  return chosen;
}

/**
 * The Blnk scenarios (bench/scenarios.ts) over `ledger`, the fixture both servers read, narrowed to
 * BENCH_SCENARIOS's words where set.
 */
export function chosenBlnkScenarios(ledger: BlnkFixture): BenchScenario[] {
  return chosenScenarios(
    blnkScenarios(
      ledger.id,
      ledger.accounts.nodes.map((node) => node.id),
    ),
    process.env.BENCH_SCENARIOS,
  );
}

export interface Variant {
  /**
   * The contender's label: "balance-gateway +flags" under Node flags alone, "+node" on another Node
   * alone, else "balance-gateway +variant".
   */
  readonly label: string;
  readonly flags: readonly string[];
  /** The Node binary it runs on, where not the bench's own (BENCH_GATEWAY_NODE). */
  readonly node?: string;
  /** The child's environment over the bench's own: its `server` settings (bench/gateway-child.ts). */
  readonly env: Readonly<Record<string, string>>;
  /** What differs, for the header line. */
  readonly description: string;
}

/**
 * The third contender `env` asks for, or undefined: the gateway under BENCH_GATEWAY_FLAGS (Node
 * flags), BENCH_VARIANT_SERVER (its `server` settings in JSON, in place of BENCH_GATEWAY_SERVER's)
 * and BENCH_GATEWAY_NODE (the path of another Node binary, say another release line). Settings that are not
 * a JSON object, and a binary that does not run, fail before anything starts.
 */
export function variantOf(env: Readonly<Record<string, string | undefined>>): Variant | undefined {
  const flags = nodeFlagsFrom(env.BENCH_GATEWAY_FLAGS);
  const server = env.BENCH_VARIANT_SERVER?.trim();
  const node = env.BENCH_GATEWAY_NODE?.trim();
  if (flags.length === 0 && !server && !node) return undefined;
  const parts = flags.length ? [`Node flags ${flags.join(' ')}`] : [];
  if (server) {
    let settings: unknown;
    try {
      settings = JSON.parse(server);
    } catch {
      settings = undefined;
    }
    if (typeof settings !== 'object' || settings === null || Array.isArray(settings))
      throw new Error(`BENCH_VARIANT_SERVER must be a JSON object of \`server\` settings, got: ${server}`);
    parts.push(`server ${JSON.stringify(settings)}`);
  }
  if (node) parts.push(`Node ${nodeVersionOf(node)} (${node})`);
  const only = flags.length === 0 && !server ? 'node' : !server && !node ? 'flags' : 'variant';
  return {
    label: `balance-gateway +${only}`,
    flags,
    ...(node ? { node } : {}),
    env: server ? { BENCH_GATEWAY_SERVER: server } : {},
    description: parts.join(', '),
  };
}

/** The version the Node binary at `path` reports; throws, saying so, when it does not run. */
function nodeVersionOf(path: string): string {
  try {
    return execFileSync(path, ['-p', 'process.versions.node'], { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch (error) {
    throw new Error(`BENCH_GATEWAY_NODE must be a Node binary that runs, got: ${path} (${(error as Error).message})`);
  }
}

/**
 * The servers a side-by-side bench compares over the simulators' `sources`: the bare passthrough,
 * the gateway, and, where BENCH_GATEWAY_FLAGS or BENCH_VARIANT_SERVER ask for it (`variantOf`), the
 * gateway once more under those Node flags or `server` settings.
 */
export function benchContenders(sources: unknown): {
  contenders: Contender[];
  gateway: Contender;
  variant: Variant | undefined;
} {
  const passthrough: Contender = {
    label: 'bare passthrough',
    start: () => forkServer(serverScript('passthrough'), [], sources, CONCURRENCY),
  };
  const gateway: Contender = {
    label: 'balance-gateway',
    start: () => forkServer(serverScript('gateway-child'), [gatewayModules(here)], sources, CONCURRENCY),
  };
  // BENCH_GATEWAY_FLAGS, BENCH_VARIANT_SERVER: the gateway once more, under Node flags or `server` settings of
  // its own (say, a memory bound, or more admission slots), beside the other two.
  const variant = variantOf(process.env);
  const variants: Contender[] =
    variant === undefined
      ? []
      : [
          {
            label: variant.label,
            start: () =>
              forkServer(serverScript('gateway-child'), [gatewayModules(here)], sources, CONCURRENCY, variant),
          },
        ];
  return { contenders: [passthrough, gateway, ...variants], gateway, variant };
}

/** Runs the side-by-side over the running `vendors` (bench/simulators.ts) and their `sources`. */
export async function versusPassthrough(vendors: ChildProcess, sources: unknown, ledger: BlnkFixture): Promise<void> {
  pin('1');
  if (vendors.pid) pin('1', vendors.pid);
  const { contenders, gateway, variant } = benchContenders(sources);
  const scenarios = chosenBlnkScenarios(ledger);
  process.stdout.write(
    `\ngateway ÷ bare passthrough: ${ROUNDS} rounds × ${SECONDS}s per scenario, ${CONCURRENCY} connections, ${pinned ? 'servers pinned to core 0, load and simulators to core 1' : 'not pinned (no taskset)'}, Node ${process.versions.node}; ${loadDescription}${serverConditions()}${variant ? `; ${variant.label}: ${variant.description}` : ''}\n`,
  );
  // BENCH_ROUNDS=0 leaves only the long run.
  if (ROUNDS > 0)
    printSideBySide(
      await sideBySide(contenders, scenarios, { rounds: ROUNDS, seconds: SECONDS, concurrency: CONCURRENCY }),
      contenders,
      scenarios,
    );
  if (process.env.BENCH_LONG_REQUESTS)
    await longRun(gateway, scenarios[0]!, {
      requests: Number(process.env.BENCH_LONG_REQUESTS),
      maxSeconds: Number(process.env.BENCH_LONG_SECONDS ?? 900),
      concurrency: CONCURRENCY,
    });
  pin(everyCore);
  if (vendors.pid) pin(everyCore, vendors.pid);
}

/** Starts the simulators (bench/simulators.ts) and reads the Blnk fixture from a probe gateway over them. */
export async function vendorsWithFixture(): Promise<{
  vendors: ChildProcess;
  sources: Array<Record<string, unknown>>;
  ledger: BlnkFixture;
}> {
  const vendors = fork(new URL('./simulators.ts', import.meta.url), { stdio: 'inherit' });
  const [ready] = (await once(vendors, 'message')) as [
    { sources: Array<Record<string, unknown>>; blnkLedger: { name: string } },
  ];
  // Fixtures from the gateway itself: its global ids are what every server takes.
  const probe = await forkServer(serverScript('gateway-child'), [gatewayModules(here)], ready.sources, 1);
  const ledger = await blnkFixture(probe, ready.sources, ready.blnkLedger);
  await probe.stop();
  return { vendors, sources: ready.sources, ledger };
}

if (import.meta.main) {
  const { vendors, sources, ledger } = await vendorsWithFixture();
  await versusPassthrough(vendors, sources, ledger);
  vendors.send('stop');
  await once(vendors, 'exit');
}
