/**
 * `npm run bench:compare`: this checkout against an earlier commit, side by side in one run. The
 * earlier commit is checked out into a temporary worktree (sharing this checkout's node_modules);
 * each round starts one gateway per tree, alternating which goes first, each alone in its own
 * process pinned to core 0 while the simulators and this load generator share core 1 (where
 * `taskset` exists). Prints req/s per scenario and tree (median, min–max over the rounds) and the
 * ratio of the medians, so a change shows against the run-to-run spread. Assert nothing: a
 * benchmark reports.
 *
 *   BENCH_BASELINE=a4bcf9f BENCH_ROUNDS=4 BENCH_SECONDS=3 npm run bench:compare
 */
import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Pool } from 'undici';
import { postGraphQL } from './post-graphql.ts';

const BASELINE = process.env.BENCH_BASELINE;
if (!BASELINE) throw new Error('set BENCH_BASELINE to the commit to compare against (e.g. BENCH_BASELINE=a4bcf9f)');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const here = resolve(import.meta.dirname, '..');
const pinned = existsSync('/usr/bin/taskset');

// The baseline tree: a detached worktree of the commit, using this checkout's installed packages.
const baselineTree = mkdtempSync(join(tmpdir(), 'bench-baseline-'));
execFileSync('git', ['-C', here, 'worktree', 'add', '--detach', '--force', baselineTree, BASELINE], {
  stdio: 'ignore',
});
symlinkSync(join(here, 'node_modules'), join(baselineTree, 'node_modules'));
const commitOf = (tree: string) => execFileSync('git', ['-C', tree, 'rev-parse', '--short', 'HEAD']).toString().trim();
const trees = [
  { label: `baseline ${commitOf(baselineTree)}`, root: baselineTree },
  {
    label: `this tree ${commitOf(here)}${execFileSync('git', ['-C', here, 'status', '--porcelain']).length ? '+' : ''}`,
    root: here,
  },
];

if (pinned) execFileSync('taskset', ['-p', '-c', '1', String(process.pid)], { stdio: 'ignore' });
const vendors = fork(join(here, 'bench/simulators.ts'), { stdio: 'inherit' });
const [ready] = (await once(vendors, 'message')) as [
  { sources: Array<Record<string, unknown>>; blnkLedger: { name: string } },
];
if (pinned && vendors.pid) execFileSync('taskset', ['-p', '-c', '1', String(vendors.pid)], { stdio: 'ignore' });

/** Starts one tree's gateway in its own process; resolves with a pool to it and a way to stop it. */
async function startGateway(root: string): Promise<{ pool: Pool; stop: () => Promise<void> }> {
  const child: ChildProcess = fork(join(here, 'bench/gateway-child.ts'), [root], { stdio: 'inherit' });
  if (pinned && child.pid) execFileSync('taskset', ['-p', '-c', '0', String(child.pid)], { stdio: 'ignore' });
  child.send(ready.sources);
  const [{ port }] = (await once(child, 'message')) as [{ port: number }];
  const pool = new Pool(`http://127.0.0.1:${port}`, { connections: CONCURRENCY });
  return {
    pool,
    stop: async () => {
      await pool.close();
      child.disconnect();
      await once(child, 'exit');
    },
  };
}

const ask = async (pool: Pool, query: string, variables: Record<string, unknown> = {}) =>
  (await postGraphQL(pool, query, variables)).data;

const BALANCES =
  'query($id: ID!) { ledger(id: $id) { balances(first: 50) { nodes { asset total { amount minorUnits } available { amount } } } } }';
const BY_ID =
  'query($ids: [ID!]!) { nodes(ids: $ids) { ... on Account { address balances { asset total { amount } } } } }';
const NESTED =
  'query($id: ID!) { ledger(id: $id) { name accounts(first: 20) { nodes { address balances { asset total { amount minorUnits scale } } } pageInfo { hasNextPage endCursor } } } }';
const ALL_FIVE =
  '{ ledgers(first: 30) { nodes { name source { kind } accounts(first: 3) { nodes { address balances { asset total { amount } } } } } } }';

// Fixtures from the baseline (global ids are part of the public contract, so both trees accept them).
const probe = await startGateway(baselineTree);
const listed = await ask(
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
const scenarios: Array<{ name: string; query: string; variables: Record<string, unknown> }> = [
  { name: 'blnk: list of 50 balances', query: BALANCES, variables: { id: blnkLedger.id } },
  {
    name: "blnk: 50 accounts' balances by id",
    query: BY_ID,
    variables: { ids: blnkLedger.accounts.nodes.map((node) => node.id) },
  },
  { name: 'blnk: ledger → 20 accounts → balances', query: NESTED, variables: { id: blnkLedger.id } },
  { name: 'all five sources: ledgers → 3 accounts each', query: ALL_FIVE, variables: {} },
];

async function measure(pool: Pool, query: string, variables: Record<string, unknown>): Promise<number> {
  for (let warm = 0; warm < 50; warm += 1) await ask(pool, query, variables);
  let done = 0;
  const started = performance.now();
  const deadline = started + SECONDS * 1000;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        await ask(pool, query, variables);
        done += 1;
      }
    }),
  );
  return done / ((performance.now() - started) / 1000);
}

const perSecond = new Map<string, number[]>(); // `${tree}\n${scenario}` → req/s of each round
process.stdout.write(
  `bench:compare: ${ROUNDS} rounds × ${SECONDS}s per scenario, concurrency ${CONCURRENCY}, ${pinned ? 'gateway pinned to core 0, load and simulators to core 1' : 'not pinned (no taskset)'}, Node ${process.versions.node}\n`,
);
try {
  for (let round = 0; round < ROUNDS; round += 1) {
    const order = round % 2 === 0 ? trees : [...trees].reverse();
    for (const tree of order) {
      const gateway = await startGateway(tree.root);
      for (const scenario of scenarios) {
        const rate = await measure(gateway.pool, scenario.query, scenario.variables);
        const key = `${tree.label}\n${scenario.name}`;
        perSecond.set(key, [...(perSecond.get(key) ?? []), rate]);
      }
      await gateway.stop();
      process.stdout.write(`  round ${round + 1}: ${tree.label} done\n`);
    }
  }
} finally {
  vendors.send('stop');
  execFileSync('git', ['-C', here, 'worktree', 'remove', '--force', baselineTree], { stdio: 'ignore' });
  rmSync(baselineTree, { recursive: true, force: true });
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const describe = (values: number[]) =>
  `${median(values).toFixed(0).padStart(5)} (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;
process.stdout.write(`\n${'scenario'.padEnd(46)} ${trees.map((tree) => tree.label.padEnd(22)).join(' ')} ratio\n`);
for (const scenario of scenarios) {
  const [before, after] = trees.map((tree) => perSecond.get(`${tree.label}\n${scenario.name}`) ?? [0]);
  const spread = Math.max(...before!) / Math.min(...before!);
  process.stdout.write(
    `${scenario.name.padEnd(46)} ${describe(before!).padEnd(22)} ${describe(after!).padEnd(22)} ${(median(after!) / median(before!)).toFixed(2)}x (baseline's own max/min ${spread.toFixed(2)}x)\n`,
  );
}
