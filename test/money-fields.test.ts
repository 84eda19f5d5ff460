import { isLosslessNumber } from 'lossless-json';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { createGateway, type Gateway } from '../src/gateway.ts';
import { createLogger } from '../src/logger.ts';
import { PROVIDER_KINDS } from '../src/providers/index.ts';
import { startDemoSources, type DemoSources, type DemoVendor } from '../src/simulators/demo.ts';
import { VONAGE_DEMO_API_KEY } from '../src/simulators/vonage/index.ts';
import { startTamperProxy, type TamperProxy } from './helpers/tamper-proxy.ts';

/**
 * Money fields fail one by one at every vendor: when the amounts of one account are unreadable in
 * every answer that carries them, that account's `balances` field fails with SOURCE_BAD_RESPONSE,
 * and everything else (the account list, the other accounts' balances, the other sources) answers
 * exactly as when all is well. Each vendor sits behind a proxy that spoils that account's amounts.
 */

const QUERY = `{
  ledgers(first: 100) {
    nodes { source { name } accounts(first: 5) { nodes { id address balances { asset total { amount } } } } }
  }
}`;

interface Answer {
  data: {
    ledgers: {
      nodes: Array<{
        source: { name: string };
        accounts: { nodes: Array<{ id: string; address: string; balances: unknown }> } | null;
      }>;
    };
  };
  errors?: Array<{ message: string; path: Array<string | number>; extensions: Record<string, unknown> }>;
}

/** Whether a JSON object of a vendor answer describes the victim's money, and how to spoil it. */
type Spoiler = (node: Record<string, unknown>, victim: string, path: string) => Record<string, unknown> | null;

const SPOIL: Record<DemoVendor, Spoiler> = {
  formance: (node, victim) => {
    if (node.address === victim && node.volumes && typeof node.volumes === 'object')
      return {
        ...node,
        volumes: Object.fromEntries(Object.keys(node.volumes).map((code) => [code, { input: 'x', output: 0 }])),
      };
    return node.account === victim && 'balance' in node ? { ...node, input: 'x', balance: 'x' } : null;
  },
  'ledger-enterprise': (node, victim, path) => {
    if (String(node.id) === victim && 'balance' in node) return { ...node, balance: 'x' };
    return path.endsWith(`/accounts/${victim}/balances`) && 'total' in node ? { ...node, total: 'x' } : null;
  },
  midaz: (node, victim) => (node.accountId === victim && 'available' in node ? { ...node, available: 'x' } : null),
  blnk: (node, victim) => (node.balance_id === victim && 'balance' in node ? { ...node, balance: 'x' } : null),
  vonage: (node, victim, path) => {
    if (node.api_key === victim && 'balance' in node) return { ...node, balance: 'x' };
    // The primary's own balance comes from the Account API, without its key.
    return path === '/account/get-balance' && victim === VONAGE_DEMO_API_KEY ? { ...node, value: 'x' } : null;
  },
};

/** Applies `spoil` to every object of a body; undefined when nothing changed (the body then passes as sent). */
function spoilBody(body: unknown, spoil: (node: Record<string, unknown>) => Record<string, unknown> | null): unknown {
  let changed = false;
  const walk = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(walk);
    if (value === null || typeof value !== 'object' || isLosslessNumber(value)) return value;
    const node = Object.fromEntries(Object.entries(value).map(([key, item]) => [key, walk(item)]));
    const spoiled = spoil(node);
    if (spoiled === null) return node;
    changed = true;
    return spoiled;
  };
  const result = walk(body);
  return changed ? result : undefined;
}

const accountIdOf = (id: string) => (JSON.parse(Buffer.from(id, 'base64url').toString()) as string[])[3] as string;

describe('money fields fail one by one, at every vendor', () => {
  let demo: DemoSources;
  const proxies = new Map<DemoVendor, TamperProxy>();
  const gateways: Gateway[] = [];
  let baseline: Answer;

  const ask = async (): Promise<Answer> => {
    const gateway = createGateway(
      parseConfig({
        server: { cursorSecret: 'test-cursor-secret-0123456789' },
        sources: demo.sources.map((source) => ({
          ...source,
          url: proxies.get(source.kind as DemoVendor)?.url ?? source.url,
        })),
      }),
      { logger: createLogger('error', () => undefined) },
    );
    gateways.push(gateway);
    const response = await gateway.yoga.fetch('http://gateway.test/graphql', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: QUERY }),
    });
    return (await response.json()) as Answer;
  };

  beforeAll(async () => {
    demo = await startDemoSources();
    for (const vendor of PROVIDER_KINDS) {
      const source = demo.sources.find((item) => item.kind === vendor);
      proxies.set(vendor, await startTamperProxy(String(source?.url)));
    }
    baseline = await ask();
    expect(baseline.errors).toBeUndefined();
  });
  afterAll(async () => {
    for (const gateway of gateways) await gateway.close();
    for (const proxy of proxies.values()) await proxy.close();
    await demo?.close();
  });

  it.each(PROVIDER_KINDS)('%s: one account with unreadable amounts fails its own balances only', async (vendor) => {
    const source = `${vendor}-demo`;
    const ledgerIndex = baseline.data.ledgers.nodes.findIndex(
      (node) => node.source.name === source && (node.accounts?.nodes.length ?? 0) > 1,
    );
    const ledger = baseline.data.ledgers.nodes[ledgerIndex];
    // An account that has a balance to spoil.
    const victimIndex = ledger?.accounts?.nodes.findIndex(
      (node) => Array.isArray(node.balances) && node.balances.length > 0,
    );
    const victim = ledger?.accounts?.nodes[victimIndex ?? -1];
    if (!victim || victimIndex === undefined) throw new Error(`no account with a balance at ${source}`);
    const proxy = proxies.get(vendor) as TamperProxy;
    proxy.tamper = (path, body) => spoilBody(body, (node) => SPOIL[vendor](node, accountIdOf(victim.id), path));
    let answer: Answer;
    try {
      answer = await ask();
    } finally {
      proxy.tamper = null;
    }
    const expected = structuredClone(baseline.data);
    const accounts = expected.ledgers.nodes[ledgerIndex]?.accounts?.nodes ?? [];
    (accounts[victimIndex] as { balances: unknown }).balances = null;
    expect(answer.data).toEqual(expected);
    expect(answer.errors?.map((error) => [error.path.join('.'), error.extensions])).toEqual([
      [`ledgers.nodes.${ledgerIndex}.accounts.nodes.${victimIndex}.balances`, { code: 'SOURCE_BAD_RESPONSE', source }],
    ]);
  });
});
