import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

// One vendor down must leave the other vendor's data in the response, with one coded error for it.
describe('one source down', () => {
  let t: TestGateway;
  let blnkUrl: string;
  beforeAll(async () => {
    t = await startTestGateway();
    blnkUrl = t.demo.simulators.blnk.url;
    await t.demo.simulators.blnk.close(); // connections to Blnk are now refused
  });
  afterAll(async () => {
    await t?.close();
  });

  it("answers 200 with the healthy source's ledgers and one SOURCE_UNAVAILABLE error naming the sick one", async () => {
    const response = await t.query<{ ledgers: { nodes: Array<{ name: string; source: { name: string } }> } }>(
      '{ ledgers(first: 50) { nodes { name source { name } } } }',
    );
    expect(response.status).toBe(200);
    const names = response.body.data!.ledgers.nodes.map((ledger) => `${ledger.source.name}/${ledger.name}`);
    const healthy = Object.entries(t.demo.simulators).filter(([vendor]) => vendor !== 'blnk');
    expect(names).toEqual(
      healthy.flatMap(([vendor, simulator]) =>
        simulator.truth.ledgers().map((ledger) => `${vendor}-demo/${ledger.name}`),
      ),
    );
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors![0]).toMatchObject({
      path: ['ledgers'],
      extensions: { code: 'SOURCE_UNAVAILABLE', source: 'blnk-demo' },
    });
  });

  it("nulls only the items of the sick source in nodes(ids), and only the bad ID's item", async () => {
    const healthy = await t.query<{ ledgers: { nodes: Array<{ id: string }> } }>(
      '{ ledgers(first: 1) { nodes { id } } }',
    );
    const formanceLedger = healthy.body.data!.ledgers.nodes[0]!.id;
    // A Blnk ledger ID built as the gateway builds them: the source is down, so it cannot have been listed now.
    const blnkLedger = Buffer.from(
      JSON.stringify(['Ledger', 'blnk-demo', t.demo.simulators.blnk.truth.ledgers()[0]!.id]),
    ).toString('base64url');
    const response = await t.query<{ sources: Array<{ name: string }>; nodes: Array<{ id: string } | null> }>(
      `{ sources { name } nodes(ids: ["${formanceLedger}", "${blnkLedger}", "not-an-id"]) { id } }`,
    );
    expect(response.status).toBe(200);
    expect(response.body.data).toEqual({
      sources: t.demo.sources.map((source) => ({ name: source.name })),
      nodes: [{ id: formanceLedger }, null, null],
    });
    const errors = response.body.errors?.map((error) => [error.path, error.extensions?.code]) ?? [];
    errors.sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(errors).toEqual([
      [['nodes', 1], 'SOURCE_UNAVAILABLE'],
      [['nodes', 2], 'BAD_USER_INPUT'],
    ]);
  });

  it('keeps sibling fields of the healthy source when a field of the sick one fails', async () => {
    const response = await t.query<{
      sources: Array<{ name: string; ledgers: { nodes: Array<{ name: string }> } | null }>;
    }>('{ sources { name ledgers(first: 5) { nodes { name } } } }');
    expect(response.status).toBe(200);
    const sources = response.body.data!.sources;
    const sick = sources.findIndex((source) => source.name === 'blnk-demo');
    sources.forEach((source, index) => {
      if (index === sick) expect(source).toEqual({ name: 'blnk-demo', ledgers: null });
      else expect(source.ledgers!.nodes.length, source.name).toBeGreaterThan(0);
    });
    expect(response.body.errors).toHaveLength(1);
    expect(response.body.errors![0]).toMatchObject({
      path: ['sources', sick, 'ledgers'],
      extensions: { code: 'SOURCE_UNAVAILABLE', source: 'blnk-demo' },
    });
  });

  it('never shows the vendor URL to the client or in a log line', async () => {
    const response = await t.query('{ ledgers { nodes { name } } sources { ledgers { nodes { name } } } }');
    const port = new URL(blnkUrl).port;
    expect(response.text).not.toContain(port);
    expect(response.text).not.toContain('127.0.0.1');
    // The failure is logged, once per error, naming the source and code but not where it lives.
    const warnings = t.logs.filter((line) => line.includes('"level":"warn"') && line.includes('source failed'));
    expect(warnings.length).toBeGreaterThanOrEqual(2);
    expect(
      warnings.some((line) => line.includes('"code":"SOURCE_UNAVAILABLE"') && line.includes('"source":"blnk-demo"')),
    ).toBe(true);
    for (const line of t.logs) {
      expect(line).not.toContain(`:${port}`);
      expect(line).not.toContain(blnkUrl);
    }
  });
});
