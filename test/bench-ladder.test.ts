import { type ChildProcess, fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIZED_BALANCES } from '../bench/scenarios.ts';
import {
  BLNK_DEMO_API_KEY,
  BLNK_DEMO_CURRENCY_SCALES,
  type BlnkSimulatorHandle,
  startBlnkSimulator,
} from '../src/simulators/blnk/index.ts';

const bench = (path: string) => fileURLToPath(new URL(`../bench/${path}`, import.meta.url));

let blnk: BlnkSimulatorHandle;
let sources: Array<Record<string, unknown>>;
let ledgerGlobalId: string;

beforeAll(async () => {
  blnk = await startBlnkSimulator({ apiKey: BLNK_DEMO_API_KEY });
  sources = [
    {
      name: 'blnk',
      kind: 'blnk',
      url: blnk.url,
      auth: { apiKey: BLNK_DEMO_API_KEY },
      currencyScales: BLNK_DEMO_CURRENCY_SCALES,
    },
  ];
  const ledgers = (await (
    await fetch(`${blnk.url}/ledgers`, { headers: { 'x-blnk-key': BLNK_DEMO_API_KEY } })
  ).json()) as Array<{
    ledger_id: string;
  }>;
  const balances = async (ledgerId: string) =>
    (
      (await (
        await fetch(`${blnk.url}/balances?ledger_id_eq=${ledgerId}&limit=3`, {
          headers: { 'x-blnk-key': BLNK_DEMO_API_KEY },
        })
      ).json()) as unknown[] | null
    )?.length ?? 0; // Blnk answers null for no balances
  let withBalances: string | undefined;
  for (const ledger of ledgers) if ((await balances(ledger.ledger_id)) >= 3) withBalances ??= ledger.ledger_id;
  if (withBalances === undefined) throw new Error('the Blnk simulator holds no ledger with three balances');
  // The gateway's global ids, which the bench's servers take: base64url of [type, source, ledger id].
  ledgerGlobalId = Buffer.from(JSON.stringify(['Ledger', 'blnk', withBalances])).toString('base64url');
});
afterAll(() => blnk.close());

/** A bench server forked as bench/side-by-side.ts forks one, asked the unshared list's operation once. */
async function ask(script: string, args: string[] = []): Promise<unknown> {
  const child: ChildProcess = fork(script, args, { stdio: 'inherit' });
  try {
    child.send(sources);
    const [{ port }] = (await once(child, 'message')) as [{ port: number }];
    const response = await fetch(`http://127.0.0.1:${port}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ query: SIZED_BALANCES, variables: { id: ledgerGlobalId, first: 2 } }),
    });
    expect(response.status).toBe(200);
    return await response.json();
  } finally {
    const exited = once(child, 'exit');
    child.disconnect();
    await exited;
  }
}

describe('the ladder bench (bench/ladder.ts)', () => {
  it('has every rung answer the unshared list as the bare passthrough does', async () => {
    const expected = (await ask(bench('passthrough.ts'))) as { data: { ledger: { balances: { nodes: unknown[] } } } };
    expect(expected.data.ledger.balances.nodes).toHaveLength(2);
    const rungs: Array<[string, string[]]> = [
      ['ladder/node-http.ts', []],
      ['ladder/whatwg-adapter.ts', []],
      ['ladder/executor.ts', ['graphql-js']],
      ['ladder/executor.ts', ['tools']],
      ['ladder/envelop.ts', []],
      ['ladder/connector.ts', [fileURLToPath(new URL('../src', import.meta.url))]],
      ['passthrough.ts', ['unstreamed-body']],
    ];
    for (const [script, args] of rungs) expect(await ask(bench(script), args), script).toEqual(expected);
  }, 60_000);
});
