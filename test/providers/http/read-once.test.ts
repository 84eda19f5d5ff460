import { afterEach, describe, expect, it } from 'vitest';
import { createBlnkConnector } from '../../../src/providers/blnk/index.ts';
import { bodyOf, readOnce } from '../../../src/providers/http/read-once.ts';
import type { HttpResponse } from '../../../src/providers/http/types.ts';
import { VendorShapeError } from '../../../src/providers/json.ts';
import { staleCopy } from '../../../src/providers/read-freshness.ts';
import type { OffsetList } from '../../../src/relay/sequence-types.ts';
import { currencyScales, startBlnkSimulator } from '../../../src/simulators/blnk/index.ts';
import { startHeldVendor } from '../../helpers/held-vendor.ts';
import { cleanups, client, closeAll, failure, json, startServer } from './test-server.ts';

// Issue 14: a vendor body is parsed and mapped once, and the result shared by every caller that
// joined its GET, instead of once per caller.
afterEach(closeAll);

const slowly = (body: string) => startServer((_request, response) => setTimeout(() => json(response, 200, body), 30));

describe('HttpClient: one reading per response', () => {
  it('parses a joined GET once: both callers get the same body object', async () => {
    const server = await slowly('{"n":123456789012345678901}');
    const http = client(server);
    const request = { method: 'GET', path: '/ledgers' } as const;
    const [a, b] = await Promise.all([http.json(request), http.json(request)]);
    expect(server.received).toHaveLength(1);
    expect(String((a.body as { n: unknown }).n)).toBe('123456789012345678901');
    expect(a.body).toBe(b.body);
  });

  it('maps a joined GET once, freezes the result, and maps the next call afresh', async () => {
    const server = await slowly('[{"id":"a"},{"id":"b"}]');
    const http = client(server);
    const request = { method: 'GET', path: '/ledgers' } as const;
    let mapped = 0;
    const ids = ({ body }: { body: unknown }) => {
      mapped += 1;
      return (body as Array<{ id: string }>).map((item) => item.id);
    };
    const [a, b] = await Promise.all([http.read(request, 'ids', ids), http.read(request, 'ids', ids)]);
    expect(a).toEqual(['a', 'b']);
    expect(b).toBe(a);
    expect(mapped).toBe(1);
    expect(Object.isFrozen(a)).toBe(true);
    // Sharing, not caching: the next call is a new response, mapped again.
    expect(await http.read(request, 'ids', ids)).toEqual(['a', 'b']);
    expect(mapped).toBe(2);
  });

  it('keeps two mappings of one response apart', async () => {
    const server = await slowly('[{"id":"a"}]');
    const http = client(server);
    const request = { method: 'GET', path: '/ledgers' } as const;
    const [ids, count] = await Promise.all([
      http.read(request, 'ids', ({ body }) => (body as Array<{ id: string }>).map((item) => item.id)),
      http.read(request, 'count', ({ body }) => (body as unknown[]).length),
    ]);
    expect(server.received).toHaveLength(1);
    expect([ids, count]).toEqual([['a'], 1]);
  });

  it('shares a mapping that fails: each caller gets SOURCE_BAD_RESPONSE, the body is read once', async () => {
    const server = await slowly('{"n":1}');
    const http = client(server);
    const request = { method: 'GET', path: '/ledgers' } as const;
    let mapped = 0;
    const refuse = () => {
      mapped += 1;
      throw new VendorShapeError('ledger list is not an array');
    };
    const [a, b] = await Promise.all([
      failure(http.read(request, 'ledgers', refuse)),
      failure(http.read(request, 'ledgers', refuse)),
    ]);
    expect([a.code, b.code]).toEqual(['SOURCE_BAD_RESPONSE', 'SOURCE_BAD_RESPONSE']);
    expect(a.message).toMatch(/ledger list is not an array$/);
    expect(mapped).toBe(1);
  });
});

describe('Blnk: a list page shared by the requests that joined its call', () => {
  it('gives both requests the same frozen balance models from one vendor call', async () => {
    const simulator = await startBlnkSimulator();
    const vendor = await startHeldVendor(simulator.url);
    const connector = createBlnkConnector('blnk-shared', {
      url: vendor.url,
      currencyScales: { ...currencyScales },
      timeoutMs: 5_000,
    });
    cleanups.push(async () => {
      await connector.close();
      await vendor.close();
      await simulator.close();
    });
    const ledgerId = simulator.data.balances[0]?.ledgerId ?? '';
    const page = () =>
      (connector.listBalances({ source: 'blnk-shared', ledgerId }, {}) as OffsetList<object>).fetchRange(0, 5);
    const both = Promise.all([page(), page()]);
    await vendor.waitForHeld(1);
    await vendor.release({ open: true });
    const [a, b] = await both;
    expect(vendor.calls).toBe(1);
    expect(a.length).toBeGreaterThan(0);
    expect(b).toBe(a);
    expect(a.every((balance) => Object.isFrozen(balance))).toBe(true);
  });
});

describe('readOnce: what was read travels with the response without showing in it', () => {
  it('adds no key to the response, nothing to its JSON, and a copy of it is read afresh', () => {
    const response: HttpResponse = {
      status: 200,
      headers: { 'content-type': 'application/json' },
      text: '{"balance":12345678901234567890123}',
    };
    const before = JSON.stringify(response);
    const body = bodyOf(response);
    expect(readOnce(response, 'map:x', () => 'mapped')).toBe('mapped');
    expect(bodyOf(response)).toBe(body);
    expect(Object.keys(response)).toEqual(['status', 'headers', 'text']);
    expect(JSON.stringify(response)).toBe(before);

    // A stale copy is a response of its own: read again, so its objects carry their own freshness.
    const copy = staleCopy(response);
    expect(readOnce(copy, 'map:x', () => 'mapped again')).toBe('mapped again');
    expect(bodyOf(copy)).not.toBe(body);
    expect(String((bodyOf(copy) as { balance: unknown }).balance)).toBe('12345678901234567890123');
  });
});
