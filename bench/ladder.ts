/**
 * Where a request's CPU, tail and memory go in the stack the gateway and the bare passthrough share:
 * the unshared list of 50 to 1 balances (bench/scenarios.ts) served by nine servers, most adding
 * one layer to the one before (bench/ladder/): node:http alone, the same behind @whatwg-node/server's
 * adapter, node:http with graphql-js's `execute`, with @graphql-tools/executor, the adapter with
 * envelop's core over that executor, node:http with the gateway's own Blnk connector and no GraphQL
 * (its whole vendor read), the bare graphql-yoga passthrough (bench/passthrough.ts) with yoga's
 * default request-body limit off (as the gateway has it), the same with yoga's defaults, and the
 * gateway. Each rung's ratio is to the first. Pinned, interleaved and checked as
 * bench/side-by-side.ts does; the rungs answer the same balances.
 *
 *   BENCH_ROUNDS=3 BENCH_SECONDS=5 node bench/ladder.ts
 *   BENCH_SERVER_FLAGS=--trace-gc-nvp  each server's young GCs, to see what it promotes (bench/PASSES.md, "Tenth pass")
 */
import { once } from 'node:events';
import { resolve } from 'node:path';
import { gatewayModules, serverScript } from './compiled.ts';
import { blnkScenarios } from './scenarios.ts';
import {
  type Contender,
  everyCore,
  forkServer,
  loadDescription,
  pin,
  printSideBySide,
  serverConditions,
  sideBySide,
} from './side-by-side.ts';
import { vendorsWithFixture } from './versus-passthrough.ts';

const here = resolve(import.meta.dirname, '..');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const CONCURRENCY = 50;

const { vendors, sources, ledger } = await vendorsWithFixture();
pin('1');
if (vendors.pid) pin('1', vendors.pid);

const rung = (label: string, script: Parameters<typeof serverScript>[0], args: string[] = []): Contender => ({
  label,
  start: () => forkServer(serverScript(script), args, sources, CONCURRENCY),
});
const contenders: Contender[] = [
  rung('node:http', 'ladder/node-http'),
  rung('+ whatwg-node adapter', 'ladder/whatwg-adapter'),
  rung('node:http + graphql-js', 'ladder/executor', ['graphql-js']),
  rung('node:http + tools exec', 'ladder/executor', ['tools']),
  rung('adapter + envelop core', 'ladder/envelop'),
  rung('node:http + gateway connector', 'ladder/connector', [gatewayModules(here)]),
  rung('passthrough, no body stream', 'passthrough', ['unstreamed-body']),
  rung('bare passthrough', 'passthrough'),
  rung('balance-gateway', 'gateway-child', [gatewayModules(here)]),
];
const scenario = blnkScenarios(
  ledger.id,
  ledger.accounts.nodes.map((node) => node.id),
).find((each) => each.variants !== undefined);
// The unshared list (its page size a variable): the only operation the rungs below the passthrough answer.
if (scenario === undefined) throw new Error('bench/scenarios.ts has no unshared list');
process.stdout.write(
  `\nthe stack, rung by rung: ${ROUNDS} rounds × ${SECONDS}s, ${CONCURRENCY} connections, Node ${process.versions.node}; ${loadDescription}${serverConditions()}\n`,
);
printSideBySide(
  await sideBySide(contenders, [scenario], { rounds: ROUNDS, seconds: SECONDS, concurrency: CONCURRENCY }),
  contenders,
  [scenario],
);
pin(everyCore);
if (vendors.pid) pin(everyCore, vendors.pid);
vendors.send('stop');
await once(vendors, 'exit');
