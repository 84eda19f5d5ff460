import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config.ts';
import { isDotSegment, pathSegment } from '../src/providers/path-segment.ts';
import { encodeGlobalId } from '../src/relay/global-id.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

/**
 * An id is one path segment at most vendors (`GET /balances/{id}`). `encodeURIComponent` leaves
 * dots alone, so the ids `.` and `..` would become dot segments, which URL parsers, proxies and
 * vendor routers resolve: `GET /balances/..` is `GET /`. Such ids (and any that decode to one) can
 * name nothing: they are NOT_FOUND without a vendor call, at every vendor and through every field.
 */

const DOT_IDS = ['.', '..', '%2e', '%2E%2e', '.%2e', '%252e%252e'];

/** Whether a path as the vendor received it holds a segment that is, or decodes to, `.` or `..`. */
function hasDotSegment(path: string): boolean {
  return path.split('/').some((segment) => isDotSegment(segment));
}

describe('path segments', () => {
  it('encodes an id as one segment, and refuses any id that is or decodes to a dot segment', () => {
    expect(pathSegment('bln_0a1b')).toBe('bln_0a1b');
    expect(pathSegment('a/b c')).toBe('a%2Fb%20c');
    expect(pathSegment('...')).toBe('...'); // three dots are a name, not a dot segment
    expect(pathSegment('a.b')).toBe('a.b');
    for (const id of DOT_IDS) expect(pathSegment(id), id).toBeNull();
    expect(pathSegment('%E0%A4%A')).toBe('%25E0%25A4%25A'); // undecodable text is just text
  });

  it('refuses a Vonage API key that would be a dot segment of the Subaccounts path, at start-up', () => {
    const vonage = (apiKey: string) =>
      parseConfig({
        sources: [
          { name: 'sms', kind: 'vonage', url: 'https://rest.nexmo.com', auth: { apiKey, apiSecret: 's3cret' } },
        ],
      });
    expect(() => vonage('a1b2c3d4')).not.toThrow();
    for (const id of DOT_IDS)
      expect(() => vonage(id)).toThrow(
        /^sources\[0\]\.auth\.apiKey: is not a Vonage API key \(it would be a dot segment in a URL path\)$/,
      );
  });
});

describe('dot-segment ids at every vendor, through the gateway', () => {
  let t: TestGateway;
  const ledgers = new Map<string, string>();
  beforeAll(async () => {
    t = await startTestGateway();
    const answer = await t.query<{ ledgers: { nodes: Array<{ id: string; source: { name: string } }> } }>(
      '{ ledgers(first: 100) { nodes { id source { name } } } }',
    );
    for (const node of answer.body.data?.ledgers.nodes ?? []) {
      const [, , ledgerId] = JSON.parse(Buffer.from(node.id, 'base64url').toString()) as string[];
      if (!ledgers.has(node.source.name)) ledgers.set(node.source.name, ledgerId as string);
    }
    expect(ledgers.size).toBe(5);
  });
  afterAll(() => t?.close());

  it('answers null for ledgers, accounts and balances named by a dot segment, and sends no such path to any vendor', async () => {
    await t.resetUpstream();
    const recorded = () => Object.values(t.demo.simulators).flatMap((simulator) => simulator.requests);
    for (const [source, realLedger] of ledgers) {
      for (const dot of DOT_IDS) {
        const ids = {
          ledger: encodeGlobalId('Ledger', [source, dot]),
          account: encodeGlobalId('Account', [source, realLedger, dot]),
          both: encodeGlobalId('Account', [source, dot, dot]),
          balance: encodeGlobalId('Balance', [source, realLedger, dot, dot]),
        };
        const answer = await t.query(
          `query ($ledger: ID!, $account: ID!, $both: ID!, $balance: ID!) {
            ledger(id: $ledger) { name }
            account(id: $account) { address }
            both: account(id: $both) { address }
            balance(id: $balance) { asset }
            nodes(ids: [$ledger, $account, $both, $balance]) { id }
          }`,
          ids,
        );
        expect([source, dot, answer.body]).toEqual([
          source,
          dot,
          { data: { ledger: null, account: null, both: null, balance: null, nodes: [null, null, null, null] } },
        ]);
      }
    }
    const dotted = recorded().filter((request) => hasDotSegment(request.path));
    expect(dotted.map((request) => `${request.method} ${request.path}`)).toEqual([]);
  });

  it('makes every connector method that takes an id answer NOT_FOUND for a dot-segment id, without a call that names it', async () => {
    await t.resetUpstream();
    const recorded = () => Object.values(t.demo.simulators).flatMap((simulator) => simulator.requests);
    const notFound = expect.objectContaining({ code: 'NOT_FOUND' });
    const now = new Date(Date.now() - 60_000).toISOString();
    for (const [source, realLedger] of ledgers) {
      const connector = t.gateway.runtime.connectors.get(source);
      if (!connector) throw new Error(`no connector ${source}`);
      for (const dot of DOT_IDS) {
        const accounts = [
          { source, ledgerId: realLedger, accountId: dot },
          { source, ledgerId: dot, accountId: dot },
        ];
        expect(await connector.getLedgers([{ source, ledgerId: dot }])).toEqual([notFound]);
        expect(await connector.getAccounts(accounts)).toEqual([notFound, notFound]);
        expect(await connector.getAccountBalances(accounts)).toEqual([notFound, notFound]);
        if (connector.getHistory) {
          const asked = accounts.map((account) => ({ account, asset: 'USD', at: [now] }));
          expect(await connector.getHistory(asked)).toEqual([notFound, notFound]);
        }
        // A list under a ledger that cannot exist: empty or NOT_FOUND, never a dotted path.
        for (const list of [
          connector.listAccounts({ source, ledgerId: dot }, {}),
          connector.listBalances({ source, ledgerId: dot }, {}),
        ]) {
          const read = list.paging === 'cursor' ? list.fetchPage(null) : list.fetchRange(0, 10);
          const outcome = await read.then(
            (page) => ('items' in page ? page.items : page),
            (error: unknown) => error,
          );
          if (Array.isArray(outcome)) expect(outcome).toEqual([]);
          else expect(outcome).toMatchObject({ code: 'NOT_FOUND' });
        }
      }
    }
    expect(
      recorded()
        .filter((request) => hasDotSegment(request.path))
        .map((request) => request.path),
    ).toEqual([]);
  });
});
