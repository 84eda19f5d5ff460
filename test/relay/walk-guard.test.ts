import { describe, expect, it } from 'vitest';
import { distinctPages } from '../../src/providers/answer-checks.ts';
import { VendorShapeError } from '../../src/providers/json.ts';
import { connectionFromSequence, type ConnectionArguments } from '../../src/relay/connection.ts';
import { createCursorCodec } from '../../src/relay/cursor.ts';
import { sequenceOf, type CursorPage, type VendorList } from '../../src/relay/sequence.ts';
import { MAX_EMPTY_PAGES_IN_A_ROW, startWalk, WalkStop, type WalkBounds } from '../../src/relay/walk-guard.ts';

/**
 * Hostile vendors against the relay's walks: each misbehaviour ends the read with the list's own
 * error after a bounded number of vendor calls, forwards, backwards and for `last` without `before`.
 */
const codec = createCursorCodec('walk-guard-test-secret');
const MAX_PAGES = 12;

class Refused extends Error {
  readonly stop: WalkStop;
  constructor(stop: WalkStop) {
    super(`refused: ${stop.reason}`);
    this.stop = stop;
  }
}
const bounds: WalkBounds = { maxPages: MAX_PAGES, failure: (stop) => new Refused(stop) };

interface Hostile {
  list: VendorList<string>;
  calls: () => number;
}

/** A cursor vendor whose page for each token is `answer(token, call)`. */
function cursorVendor(answer: (token: string | null, call: number) => CursorPage<string>): Hostile {
  let calls = 0;
  return {
    calls: () => calls,
    list: {
      paging: 'cursor',
      walk: bounds,
      identify: (item) => item,
      fetchPage: async (token) => answer(token, calls++),
    },
  };
}

/** An offset vendor answering `answer(offset, limit)`. */
function offsetVendor(answer: (offset: number, limit: number) => string[], maxLimit = 10): Hostile {
  let calls = 0;
  return {
    calls: () => calls,
    list: {
      paging: 'offset',
      maxLimit,
      walk: bounds,
      identify: (item) => item,
      fetchRange: async (offset, limit) => {
        calls += 1;
        return answer(offset, limit);
      },
    },
  };
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, index) => `i${from + index}`);

async function refusal(vendor: Hostile, args: ConnectionArguments): Promise<WalkStop['reason']> {
  const read = connectionFromSequence(sequenceOf(vendor.list), args, { codec, key: 'k' });
  const error = await read.then(
    () => null,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(Refused);
  return (error as Refused).stop.reason;
}

// Each read of a Relay page is one walk; these are the three ways a read walks.
const READS: Array<[string, ConnectionArguments]> = [
  ['forwards', { first: 100 }],
  ['last without before', { last: 5 }],
];

describe('walks over a misbehaving cursor vendor end with its error', () => {
  for (const [name, args] of READS) {
    it(`${name}: a next cursor that never advances ends before the call that would follow it again`, async () => {
      // New items every time, so only the cursor gives the loop away.
      const vendor = cursorVendor((token, call) => ({ items: [`i${call}`], next: 'same', previous: token }));
      expect(await refusal(vendor, args)).toBe('cursor-repeated');
      expect(vendor.calls()).toBe(2);
    });

    it(`${name}: a next cursor that never advances, same page every time, ends at the second call`, async () => {
      const vendor = cursorVendor(() => ({ items: range(0, 2), next: 'same', previous: null }));
      expect(await refusal(vendor, args)).toBe('page-repeated');
      expect(vendor.calls()).toBe(2);
    });

    it(`${name}: a page that repeats with a fresh cursor every time ends at the repeat`, async () => {
      const vendor = cursorVendor((_, call) => ({ items: range(0, 3), next: `c${call + 1}`, previous: null }));
      expect(await refusal(vendor, args)).toBe('page-repeated');
      expect(vendor.calls()).toBe(2);
    });

    it(`${name}: ${MAX_EMPTY_PAGES_IN_A_ROW} empty pages in a row that claim more end the walk`, async () => {
      const vendor = cursorVendor((_, call) => ({
        items: call === 0 ? range(0, 1) : [],
        next: `c${call + 1}`,
        previous: null,
      }));
      expect(await refusal(vendor, args)).toBe('empty-pages');
      expect(vendor.calls()).toBe(1 + MAX_EMPTY_PAGES_IN_A_ROW);
    });

    it(`${name}: an endless list of new items ends at the page limit, before the call past it`, async () => {
      const vendor = cursorVendor((_, call) => ({ items: [`i${call}`], next: `c${call + 1}`, previous: null }));
      expect(await refusal(vendor, args)).toBe('page-limit');
      expect(vendor.calls()).toBe(MAX_PAGES);
    });
  }

  it('backwards from a cursor: a previous cursor that leads back ends at the repeat', async () => {
    const vendor = cursorVendor((_, call) => ({ items: [`i${call}`], next: null, previous: 'p' }));
    const start = await connectionFromSequence(sequenceOf(vendor.list), { first: 1 }, { codec, key: 'k' });
    const before = start.edges[0]?.cursor as string;
    expect(await refusal(vendor, { last: 50, before })).toBe('cursor-repeated');
  });

  it('a page filtered down to nothing by the connector is not an empty page', async () => {
    let calls = 0;
    const list: VendorList<string> = {
      paging: 'cursor',
      walk: bounds,
      fetchPage: async () => {
        calls += 1;
        return calls < 8
          ? { items: [], recordKeys: range(calls * 100, 100), next: `c${calls}`, previous: null }
          : { items: ['x'], next: null, previous: null };
      },
    };
    const page = await connectionFromSequence(sequenceOf(list), { first: 1 }, { codec, key: 'k' });
    expect(page.edges.map((edge) => edge.node)).toEqual(['x']);
    expect(calls).toBe(8);
  });
});

describe('a walk judges a page by the records the vendor sent, and holds one page of keys', () => {
  it('a repeated page that a filter empties, under fresh cursors, ends at the repeat (not at the page limit)', async () => {
    // The connector drops every record (an asset filter); the vendor sends the same 100 records each time.
    const vendor = cursorVendor((_, call) => ({
      items: [],
      recordKeys: range(0, 100),
      next: `c${call}`,
      previous: null,
    }));
    expect(await refusal(vendor, { first: 1 })).toBe('page-repeated');
    expect(vendor.calls()).toBe(2);
  });

  it('one record listed twice in a page is checked once, by the answer check, in its words; not by the guard', async () => {
    const twice = () => cursorVendor(() => ({ items: ['a', 'b', 'a'], next: null, previous: null }));
    // The guard alone lets the page through: a page's own duplicates are the answer check's.
    const alone = await connectionFromSequence(sequenceOf(twice().list), { first: 100 }, { codec, key: 'k' });
    expect(alone.edges.map((edge) => edge.node)).toEqual(['a', 'b', 'a']);
    // The connectors' lists go through distinctPages: refused at the first page, as a bad answer.
    const vendor = twice();
    const checked = distinctPages(vendor.list, 'accounts', (map) => map());
    const read = connectionFromSequence(sequenceOf(checked), { first: 100 }, { codec, key: 'k' });
    await expect(read).rejects.toThrow(new VendorShapeError('the answer lists one of its accounts twice'));
    expect(vendor.calls()).toBe(1);
  });

  it('a page is compared with the one before it only: a loop of two pages under fresh cursors ends at the page limit', async () => {
    const vendor = cursorVendor((_, call) => ({ items: range(call % 2, 1), next: `c${call}`, previous: null }));
    expect(await refusal(vendor, { first: 100 })).toBe('page-limit');
    expect(vendor.calls()).toBe(MAX_PAGES);
  });
});

describe('walks over a misbehaving offset vendor end with its error', () => {
  const ignoresOffset = () => offsetVendor((_, limit) => range(0, limit));
  const repeatsThePrevious = () => offsetVendor((offset, limit) => range(Math.max(0, offset - limit), limit));
  const endless = () => offsetVendor((offset, limit) => range(offset, limit));

  for (const [name, args] of [...READS, ['forwards past the vendor limit', { first: 35 }]] as const) {
    it(`${name}: an ignored offset ends at the second call`, async () => {
      const vendor = ignoresOffset();
      expect(await refusal(vendor, args)).toBe('page-repeated');
      expect(vendor.calls()).toBe(2);
    });
    it(`${name}: a page that repeats the previous one ends at the repeat`, async () => {
      const vendor = repeatsThePrevious();
      expect(await refusal(vendor, args)).toBe('page-repeated');
      expect(vendor.calls()).toBe(2);
    });
  }

  it('last without before over an endless list ends at the page limit', async () => {
    const vendor = endless();
    expect(await refusal(vendor, { last: 5 })).toBe('page-limit');
    expect(vendor.calls()).toBe(MAX_PAGES);
  });

  it('pages that only overlap (a vendor inserting during the walk) are read on', async () => {
    // Each page starts one item early, as offset pages do when an item is inserted at the head.
    const vendor = offsetVendor((offset, limit) => (offset >= 30 ? [] : range(Math.max(0, offset - 1), limit)));
    const page = await connectionFromSequence(sequenceOf(vendor.list), { last: 3 }, { codec, key: 'k' });
    expect(page.edges).toHaveLength(3);
  });

  it('last without before over a vendor that counts its list reads the end directly: the count and one range', async () => {
    let calls = 0;
    const all = range(0, 10_000);
    const list: VendorList<string> = {
      paging: 'offset',
      maxLimit: 100,
      walk: bounds,
      fetchRange: async (offset, limit) => {
        calls += 1;
        return all.slice(offset, offset + limit);
      },
      totalCount: async () => {
        calls += 1;
        return all.length;
      },
    };
    const page = await connectionFromSequence(sequenceOf(list), { last: 3 }, { codec, key: 'k' });
    expect(page.edges.map((edge) => edge.node)).toEqual(['i9997', 'i9998', 'i9999']);
    expect(page.pageInfo.hasPreviousPage).toBe(true);
    expect(calls).toBe(2);
  });
});

describe('startWalk', () => {
  it('without a failure hook throws the WalkStop itself, whose message quotes nothing of the vendor', () => {
    const walk = startWalk<string>({ maxPages: 1 }, (item) => item);
    walk.next('secret-cursor-value');
    walk.read(['secret-item'], true);
    let thrown: unknown;
    try {
      walk.next('secret-cursor-value');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(WalkStop);
    expect((thrown as WalkStop).message).not.toMatch(/secret/);
  });
});
