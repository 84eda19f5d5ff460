import { join, resolve } from 'node:path';
import { checkoutBaselines, labelOf } from './baseline-trees.ts';
import { gatewayModules, serverScript } from './compiled.ts';
import { postGraphQL } from './post-graphql.ts';
import { ALL_FIVE, blnkScenarios } from './scenarios.ts';
import {
  type Contender,
  forkServer,
  loadDescription,
  pinned,
  printSideBySide,
  sideBySide,
  startPinnedVendors,
} from './side-by-side.ts';

const BASELINE = process.env.BENCH_BASELINE;
if (!BASELINE) throw new Error('set BENCH_BASELINE to the commit to compare against (e.g. BENCH_BASELINE=a4bcf9f)');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const here = resolve(import.meta.dirname, '..');

const baselines = checkoutBaselines(here, BASELINE.split(','));

const ready = await startPinnedVendors(join(here, 'bench/simulators.ts'));
const vendors = ready.process;

/** One tree's gateway in its own process (bench/gateway-child.ts). */
const gatewayOf = (label: string, root: string): Contender => ({
  label,
  start: () => forkServer(serverScript('gateway-child'), [gatewayModules(root)], ready.sources, CONCURRENCY),
});
const trees = [
  ...baselines.trees.map((tree, index) => gatewayOf(`${index === 0 ? 'baseline' : 'then'} ${labelOf(tree)}`, tree)),
  gatewayOf(`this tree ${labelOf(here)}`, here),
];

// Fixtures from the baseline (global ids are part of the public contract, so both trees accept them).
const probe = await trees[0]!.start();
const { data: listed } = await postGraphQL(
  probe.pool,
  '{ ledgers(first: 100) { nodes { id name source { name } accounts(first: 50) { nodes { id } } } } }',
);
await probe.stop();
const blnkLedger = (
  listed.ledgers.nodes as Array<{
    id: string;
    name: string;
    source: { name: string };
    accounts: { nodes: Array<{ id: string }> };
  }>
).find((ledger) => ledger.source.name === 'blnk-demo' && ledger.name === ready.blnkLedger.name)!;
const scenarios = [
  ...blnkScenarios(
    blnkLedger.id,
    blnkLedger.accounts.nodes.map((node) => node.id),
  ),
  { name: 'all five sources: ledgers → 3 accounts each', query: ALL_FIVE, variables: {} },
];

process.stdout.write(
  `bench:compare: ${ROUNDS} rounds × ${SECONDS}s per scenario, concurrency ${CONCURRENCY}, ${pinned ? 'gateway pinned to core 0, load and simulators to core 1' : 'not pinned (no taskset)'}, Node ${process.versions.node}; ${loadDescription}\n`,
);
try {
  const runs = await sideBySide(trees, scenarios, { rounds: ROUNDS, seconds: SECONDS, concurrency: CONCURRENCY });
  printSideBySide(runs, trees, scenarios);
} finally {
  vendors.send('stop');
  baselines.remove();
}
