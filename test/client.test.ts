import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LedgerAccountsDocument, SourcesAndLedgersDocument, type LedgerAccountsQuery } from './client/generated.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

/** The smallest typed client: the result type comes from the generated document, checked by tsc. */
async function request<Result, Variables>(
  url: string,
  document: TypedDocumentNode<Result, Variables>,
  variables: Variables,
): Promise<Result> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: Result; errors?: unknown[] };
  if (body.errors || !body.data) throw new Error(`GraphQL errors: ${JSON.stringify(body.errors)}`);
  return body.data;
}

describe('a client typed by graphql-codegen', () => {
  let t: TestGateway;
  let url = '';
  beforeAll(async () => {
    t = await startTestGateway();
    url = await t.listen();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('reads sources and ledgers into generated types', async () => {
    const data = await request(url, SourcesAndLedgersDocument, {});
    const kinds: Array<'FORMANCE' | 'LEDGER_ENTERPRISE' | 'MIDAZ' | 'BLNK' | 'VONAGE'> = data.sources.map(
      (source) => source.kind,
    );
    expect(kinds).toEqual(t.demo.sources.map((source) => String(source.kind).toUpperCase().replace('-', '_')));
    expect(data.ledgers.nodes.length).toBeGreaterThanOrEqual(6);
  });

  it("pages a ledger's accounts with typed variables and reads exact money as strings", async () => {
    const { ledgers } = await request(url, SourcesAndLedgersDocument, {});
    const formance = ledgers.nodes.find((ledger) => ledger.source.name === 'formance-demo');
    if (!formance) throw new Error('no formance ledger');
    const truth = t.demo.simulators.formance.truth.balances(formance.name);
    const seen = new Map<string, string>();
    let after: string | null = null;
    for (let page = 0; page < 100; page += 1) {
      const data: LedgerAccountsQuery = await request(url, LedgerAccountsDocument, {
        id: formance.id,
        first: 40,
        after,
      });
      const accounts = data.ledger?.accounts;
      if (!accounts) throw new Error('ledger vanished');
      for (const account of accounts.nodes) {
        for (const balance of account.balances ?? []) {
          const minorUnits: string = balance.total.minorUnits;
          seen.set(`${account.address}|${balance.total.asset}`, minorUnits);
        }
      }
      if (!accounts.pageInfo.hasNextPage) break;
      after = accounts.pageInfo.endCursor;
    }
    expect(seen.size).toBe(truth.length);
    for (const balance of truth) expect(seen.get(`${balance.accountId}|${balance.asset}`)).toBe(balance.total);
  });
});
