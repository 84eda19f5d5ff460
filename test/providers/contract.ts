import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../src/errors.ts';
import type { AccountRef, Connector, LedgerRef } from '../../src/providers/types.ts';
import { connectionFromSequence, type Connection } from '../../src/relay/connection.ts';
import { createCursorCodec } from '../../src/relay/cursor.ts';
import { sequenceOf, type VendorList } from '../../src/relay/sequence.ts';
import type { SimulatorHandle } from '../../src/simulators/types.ts';

/**
 * The contract every connector + simulator pair must meet. A vendor's test file calls
 * `describeConnectorContract` with a setup function, then adds tests for its own quirks.
 */
export interface ContractSubject {
  connector: Connector;
  simulator: SimulatorHandle;
}

const codec = createCursorCodec('contract-test-secret');

/** A small deterministic PRNG so a failing walk can be replayed from its seed. */
export function seededSizes(seed: number, max = 100): () => number {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) % max) + 1;
  };
}

/** Walks a whole list through Relay pages of varying size, forwards or backwards, and returns its items in list order. */
export async function walk<T>(
  list: VendorList<T>,
  direction: 'forward' | 'backward',
  nextSize: () => number,
): Promise<T[]> {
  const sequence = sequenceOf(list);
  const items: T[] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 10_000; guard += 1) {
    const size = nextSize();
    const page: Connection<T> = await connectionFromSequence(
      sequence,
      direction === 'forward' ? { first: size, after: cursor } : { last: size, before: cursor },
      { codec, key: 'walk' },
    );
    expect(page.edges.length).toBeLessThanOrEqual(size);
    const nodes = page.edges.map((edge) => edge.node);
    if (direction === 'forward') items.push(...nodes);
    else items.unshift(...nodes);
    const more = direction === 'forward' ? page.pageInfo.hasNextPage : page.pageInfo.hasPreviousPage;
    if (!more) return items;
    expect(page.edges.length).toBe(size); // a page short of its size must be the last one
    cursor = direction === 'forward' ? page.pageInfo.endCursor : page.pageInfo.startCursor;
  }
  throw new Error('walk did not end');
}

/** What a vendor's data can show; the defaults suit a full ledger vendor (Formance, Blnk, Midaz, Ledger Enterprise). */
export interface ContractOptions {
  /** The simulator holds a ledger of more than 250 accounts, walked page by page. Default true. */
  bigLedger?: boolean;
  /** Some balance exceeds 2^53 minor units. Default true. */
  hugeAmounts?: boolean;
  /** Some balance is negative. Default true. */
  negativeAmounts?: boolean;
}

export function describeConnectorContract(
  label: string,
  setup: () => Promise<ContractSubject>,
  options: ContractOptions = {},
): void {
  const { bigLedger = true, hugeAmounts = true, negativeAmounts = true } = options;
  describe(`${label}: connector contract`, () => {
    let subject: ContractSubject;
    beforeAll(async () => {
      subject = await setup();
    });
    afterAll(async () => {
      await subject?.connector.close();
      await subject?.simulator.close();
    });

    const ledgerRefs = (): LedgerRef[] =>
      subject.simulator.truth.ledgers().map((ledger) => ({ source: subject.connector.name, ledgerId: ledger.id }));
    const biggestLedger = (): LedgerRef => {
      const refs = ledgerRefs();
      refs.sort(
        (a, b) =>
          subject.simulator.truth.accounts(b.ledgerId).length - subject.simulator.truth.accounts(a.ledgerId).length,
      );
      return refs[0] as LedgerRef;
    };

    it('lists every ledger in the vendor order', async () => {
      const ledgers = await walk(subject.connector.listLedgers(), 'forward', () => 2);
      expect(ledgers.map((ledger) => ledger.ledgerId)).toEqual(
        subject.simulator.truth.ledgers().map((ledger) => ledger.id),
      );
      expect(ledgers.every((ledger) => ledger.source === subject.connector.name)).toBe(true);
    });

    it('gets ledgers by id in key order, with NOT_FOUND for an unknown one', async () => {
      const refs = [...ledgerRefs(), { source: subject.connector.name, ledgerId: 'no-such-ledger' }];
      const results = await subject.connector.getLedgers(refs);
      expect(results).toHaveLength(refs.length);
      for (const [index, ref] of refs.slice(0, -1).entries())
        expect((results[index] as { ledgerId: string }).ledgerId).toBe(ref.ledgerId);
      expect(results.at(-1)).toBeInstanceOf(NotFoundError);
    });

    it.runIf(bigLedger)('has a ledger with more than 250 accounts', () => {
      expect(subject.simulator.truth.accounts(biggestLedger().ledgerId).length).toBeGreaterThan(250);
    });

    for (const seed of [1, 7, 42]) {
      it(`walks the biggest ledger's accounts forward and backward with random page sizes (seed ${seed})`, async () => {
        const ledger = biggestLedger();
        const expected = subject.simulator.truth.accounts(ledger.ledgerId).map((account) => account.id);
        const forward = await walk(subject.connector.listAccounts(ledger, {}), 'forward', seededSizes(seed));
        expect(forward.map((account) => account.accountId)).toEqual(expected);
        const backward = await walk(subject.connector.listAccounts(ledger, {}), 'backward', seededSizes(seed + 1));
        expect(backward.map((account) => account.accountId)).toEqual(expected);
      });
    }

    it('walks every balance of every ledger forward and backward, amount by amount', async () => {
      for (const ledger of ledgerRefs()) {
        const expected = subject.simulator.truth
          .balances(ledger.ledgerId)
          .map((balance) => `${balance.accountId}|${balance.balanceId}|${balance.total}/${balance.scale}`);
        const key = (balance: { accountId: string; balanceId: string; total: { minorUnits: bigint; scale: number } }) =>
          `${balance.accountId}|${balance.balanceId}|${balance.total.minorUnits}/${balance.total.scale}`;
        const forward = await walk(subject.connector.listBalances(ledger, {}), 'forward', seededSizes(3));
        expect(forward.map(key)).toEqual(expected);
        const backward = await walk(subject.connector.listBalances(ledger, {}), 'backward', seededSizes(5));
        expect(backward.map(key)).toEqual(expected);
      }
    });

    it('gets accounts by id in key order, with NOT_FOUND for an unknown one', async () => {
      const ledger = biggestLedger();
      const accounts = subject.simulator.truth.accounts(ledger.ledgerId).slice(0, 30);
      const refs: AccountRef[] = [
        ...accounts.map((account) => ({ ...ledger, accountId: account.id })),
        { ...ledger, accountId: unknownAccountId(accounts[0]?.id ?? '') },
      ];
      const results = await subject.connector.getAccounts(refs);
      expect(results).toHaveLength(refs.length);
      for (const [index, account] of accounts.entries())
        expect(results[index]).toMatchObject({ accountId: account.id, address: account.address });
      expect(results.at(-1)).toBeInstanceOf(NotFoundError);
    });

    it('gets the balances of many accounts at once, exactly, including amounts above 2^53 and negative ones', async () => {
      let sawHuge = false;
      let sawNegative = false;
      for (const ledger of ledgerRefs()) {
        const truth = subject.simulator.truth.balances(ledger.ledgerId);
        const accountIds = [...new Set(truth.map((balance) => balance.accountId))];
        const results = await subject.connector.getAccountBalances(
          accountIds.map((accountId) => ({ ...ledger, accountId })),
        );
        expect(results).toHaveLength(accountIds.length);
        accountIds.forEach((accountId, index) => {
          const result = results[index];
          if (result === undefined || result instanceof Error) throw result ?? new Error('missing result');
          const got = result
            .map(
              (balance) => `${balance.balanceId}|${balance.asset}|${balance.total.minorUnits}/${balance.total.scale}`,
            )
            .sort();
          const want = truth
            .filter((balance) => balance.accountId === accountId)
            .map((balance) => `${balance.balanceId}|${balance.asset}|${balance.total}/${balance.scale}`)
            .sort();
          expect(got).toEqual(want);
          for (const balance of result) {
            expect(balance).toMatchObject({ source: subject.connector.name, ledgerId: ledger.ledgerId, accountId });
            if (balance.total.minorUnits > BigInt(Number.MAX_SAFE_INTEGER)) sawHuge = true;
            if (balance.total.minorUnits < 0n) sawNegative = true;
          }
        });
      }
      if (hugeAmounts) expect(sawHuge).toBe(true);
      if (negativeAmounts) expect(sawNegative).toBe(true);
    });

    it('answers NOT_FOUND in the slot of an unknown account and still answers the others', async () => {
      const ledger = biggestLedger();
      const known = subject.simulator.truth.accounts(ledger.ledgerId)[0];
      if (!known) throw new Error('simulator has no accounts');
      const results = await subject.connector.getAccountBalances([
        { ...ledger, accountId: unknownAccountId(known.id) },
        { ...ledger, accountId: known.id },
      ]);
      expect(results[0]).toBeInstanceOf(NotFoundError);
      expect(Array.isArray(results[1])).toBe(true);
    });
  });
}

/** An id of the same shape as a real one that the simulator does not hold. */
function unknownAccountId(example: string): string {
  return example.startsWith('bln_') ? 'bln_00000000-0000-4000-8000-000000000000' : 'nobody:404';
}
