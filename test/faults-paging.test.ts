import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { createGateway, type Gateway } from '../src/gateway.ts';
import { createLogger } from '../src/logger.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { startDemoSources, type DemoSources, type DemoVendor } from '../src/simulators/demo.ts';
import type { PagingFault } from '../src/simulators/faults.ts';
import { secretsOf } from './helpers/secrets.ts';

/**
 * The paging faults: each vendor whose API pages, its paging misbehaving in each way its API can,
 * beside the four healthy ones, through one operation that walks every kind of walk: the merged
 * ledger list backwards, each ledger's accounts forwards past a vendor page, `last` without
 * `before` on accounts and balances, lookups by id (Formance `$in` pages, Midaz balance cursors)
 * and a Formance history (dated volume pages). The gateway answers 200, the healthy sources'
 * data exactly as when all are well, coded errors for the sick source only, a bounded number of
 * calls to it, and none once the answer is out.
 *
 * Which faults each vendor's API can show: Formance pages by cursor only (no offset to ignore);
 * Midaz pages ledgers and accounts by offset and balances by cursor (all five); Blnk and Ledger
 * Enterprise page by offset, where an empty page ends a list (nothing can claim more) and there
 * is no cursor to get stuck; Vonage does not page at all (one subaccounts answer), so none.
 */
const PAGING: Readonly<Record<DemoVendor, readonly PagingFault[]>> = {
  formance: ['paging-stuck', 'paging-repeat', 'paging-empty', 'paging-long'],
  'ledger-enterprise': ['paging-repeat', 'paging-ignore-offset', 'paging-long'],
  midaz: ['paging-stuck', 'paging-repeat', 'paging-ignore-offset', 'paging-empty', 'paging-long'],
  blnk: ['paging-repeat', 'paging-ignore-offset', 'paging-long'],
  vonage: [],
};
/**
 * A long list is no misbehaviour when the vendor counts it: Ledger Enterprise's `page_info.count`
 * lets `last` read the end directly, and forward pages are read one at a time, so every field
 * answers. Everywhere else the operation meets the fault in at least one walk.
 */
const ANSWERS_IN_FULL: ReadonlyArray<readonly [DemoVendor, PagingFault]> = [['ledger-enterprise', 'paging-long']];

const MAX_PAGES = 10;
const OPERATION = `query Walks($ledgers: [ID!]!, $accounts: [ID!]!, $account: ID!, $asset: String!, $from: DateTime!, $to: DateTime!) {
  ledgers(last: 100) { nodes { id source { name } } }
  perLedger: nodes(ids: $ledgers) {
    ... on Ledger {
      id
      accounts(first: 100) { nodes { address } pageInfo { hasNextPage } }
      tail: accounts(last: 2) { nodes { address } pageInfo { hasPreviousPage } }
      balances(last: 2) { nodes { asset available { minorUnits } } }
    }
  }
  accounts: nodes(ids: $accounts) { ... on Account { id address balances { asset total { minorUnits } } } }
  history: node(id: $account) { ... on Account { history(asset: $asset, from: $from, to: $to) { nodes { at balance { minorUnits } } } } }
}`;

interface Answer {
  status: number;
  text: string;
  body: {
    data?: {
      ledgers: { nodes: Array<{ id: string; source: { name: string } }> } | null;
      perLedger: unknown[];
      accounts: unknown[];
      history: unknown;
    } | null;
    errors?: Array<{ message: string; path?: unknown[]; extensions?: Record<string, unknown> }>;
  };
}

describe('paging faults: one vendor pages without end among five', () => {
  let demo: DemoSources;
  const gateways: Gateway[] = [];
  const texts: string[] = [];
  /** The `vendor fault` cases already asked. */
  const asked = new Set<string>();
  let variables: Record<string, unknown>;
  /** Per item of `perLedger` and `accounts`, the source it belongs to. */
  let ledgerSources: string[];
  let accountSources: string[];
  let baseline: Answer;

  const ask = async (): Promise<Answer> => {
    const config = parseConfig({
      server: { limits: { maxPagesPerWalk: MAX_PAGES } },
      // The default deadline: no fault here hangs, and a loaded machine must not time a healthy source out.
      sources: demo.sources,
    });
    const gateway = createGateway(config, { logger: createLogger('debug', (line) => texts.push(line)) });
    gateways.push(gateway);
    const response = await gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: OPERATION, variables }),
    });
    const text = await response.text();
    texts.push(text);
    return { status: response.status, text, body: JSON.parse(text) };
  };

  beforeAll(async () => {
    demo = await startDemoSources();
    ledgerSources = [];
    accountSources = [];
    const ledgers: string[] = [];
    const accounts: string[] = [];
    for (const [vendor, simulator] of Object.entries(demo.simulators)) {
      for (const ledger of simulator.truth.ledgers()) {
        ledgers.push(encodeGlobalId('Ledger', [`${vendor}-demo`, ledger.id]));
        ledgerSources.push(`${vendor}-demo`);
        for (const account of simulator.truth.accounts(ledger.id).slice(0, 3)) {
          accounts.push(encodeGlobalId('Account', [`${vendor}-demo`, ledger.id, account.id]));
          accountSources.push(`${vendor}-demo`);
        }
      }
    }
    const formance = demo.simulators.formance.truth;
    const main = formance.ledgers()[0] as { id: string };
    const balance = formance.balances(main.id)[0] as { accountId: string; asset: string };
    variables = {
      ledgers,
      accounts,
      account: encodeGlobalId('Account', ['formance-demo', main.id, balance.accountId]),
      asset: balance.asset,
      from: '2026-01-01T00:00:00Z',
      to: '2026-01-08T00:00:00Z',
    };
    baseline = await ask();
    expect(baseline.body.errors).toBeUndefined();
    expect(baseline.body.data?.ledgers?.nodes.length).toBe(ledgers.length);
  });
  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
    await demo?.close();
  });

  /** The answer's data of the sources other than `sick`. */
  const healthyPart = (answer: Answer, sick: string) => ({
    ledgers: answer.body.data?.ledgers?.nodes.filter((node) => node.source.name !== sick),
    perLedger: answer.body.data?.perLedger.filter((_, index) => ledgerSources[index] !== sick),
    accounts: answer.body.data?.accounts.filter((_, index) => accountSources[index] !== sick),
    history: sick === 'formance-demo' ? null : answer.body.data?.history,
  });

  const cases = Object.entries(PAGING).flatMap(([vendor, faults]) =>
    faults.map((fault) => [vendor as DemoVendor, fault] as const),
  );

  it.each(cases)(
    '%s, %s: 200, the other four intact, coded errors for it only, bounded calls, none after the answer',
    async (vendor, fault) => {
      const sick = `${vendor}-demo`;
      const simulator = demo.simulators[vendor];
      await simulator.setFault(fault);
      let answer: Answer;
      let calls: number;
      let late: number;
      try {
        simulator.resetRequests();
        answer = await ask();
        asked.add(`${vendor} ${fault}`);
        // Counted on arrival: a call aborted, or still unanswered, when the answer went out counts too.
        calls = simulator.arrivals;
        // Anything still reaching the vendor once the answer is out is work nobody waits for.
        await new Promise((resolve) => setTimeout(resolve, 1000));
        late = simulator.arrivals - calls;
      } finally {
        await simulator.setFault(null);
      }

      expect(answer.status).toBe(200);
      expect(healthyPart(answer, sick)).toEqual(healthyPart(baseline, sick));
      const errors = answer.body.errors ?? [];
      for (const error of errors) {
        expect(error.extensions?.source).toBe(sick);
        if (error.extensions?.code === 'LIMIT_EXCEEDED') {
          expect(fault).toBe('paging-long');
          expect(error.extensions).toEqual({ code: 'LIMIT_EXCEEDED', source: sick, limit: 'pagesPerWalk' });
        } else {
          expect(error.extensions).toEqual({ code: 'SOURCE_BAD_RESPONSE', source: sick });
        }
      }
      const inFull = ANSWERS_IN_FULL.some(([v, f]) => v === vendor && f === fault);
      expect(errors.length > 0).toBe(!inFull);

      // The bound: each walk of the operation over the sick source reads at most MAX_PAGES relay
      // pages of at most two vendor calls each (a range may span two vendor pages); the walks are its
      // ledger list, three per ledger, one lookup per account and the history; 20 calls more for the
      // reads beside walks (a ledger's facts, currencies, a token).
      const ledgers = ledgerSources.filter((source) => source === sick).length;
      const accounts = accountSources.filter((source) => source === sick).length;
      const walks = 1 + 3 * ledgers + accounts + 1;
      expect(calls).toBeLessThanOrEqual(walks * 2 * MAX_PAGES + 20);
      expect(late).toBe(0);
    },
  );

  it('no answer or log line quotes a credential, a vendor URL or a vendor cursor', async () => {
    // Run alone, this test asks each fault itself; after the cases above, it reads what they saw.
    for (const [vendor, fault] of cases) {
      if (asked.has(`${vendor} ${fault}`)) continue;
      const simulator = demo.simulators[vendor];
      await simulator.setFault(fault);
      try {
        await ask();
      } finally {
        await simulator.setFault(null);
      }
    }
    expect(texts.length).toBeGreaterThan(cases.length);
    for (const text of texts) {
      for (const secret of secretsOf(demo)) expect(text).not.toContain(secret);
      expect(text).not.toMatch(/fault~\d+~\d+/);
    }
  });
});
