import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isScalarType, isSpecifiedScalarType } from 'graphql';
import { afterAll, beforeAll, describe, expect, expectTypeOf, it } from 'vitest';
import { dailyHistory, ledgerAccounts, listLedgers } from '../examples/typed-client/src/balances.ts';
import { execute, RequestRefused } from '../examples/typed-client/src/execute.ts';
import { TypedDocumentString } from '../examples/typed-client/src/gql/graphql.ts';
import type { LedgersPageDocument } from '../examples/typed-client/src/operations.ts';
import { clientScalars } from '../src/index.ts';
import { createSchema } from '../src/server.ts';
import { run as runGateway, waitFor } from './helpers/cli.ts';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

// examples/typed-client: graphql-codegen's client preset, persisted documents on, run against the
// demo gateway in persisted-only mode with the example's own persisted-documents.json, over HTTP.
const example = join(import.meta.dirname, '..', 'examples', 'typed-client');
const run = promisify(execFile);

describe('the typed client example', () => {
  let gateway: TestGateway;
  let endpoint = '';
  beforeAll(async () => {
    gateway = await startTestGateway({
      server: { persistedOperations: join(example, 'src', 'gql', 'persisted-documents.json') },
    });
    endpoint = await gateway.listen();
  });
  afterAll(() => gateway?.close());

  it('is generated from the current schema and documents (codegen --check)', async () => {
    const codegen = join(import.meta.dirname, '..', 'node_modules', '.bin', 'graphql-codegen');
    await expect(run(codegen, ['--config', 'codegen.ts', '--check'], { cwd: example })).resolves.toBeDefined();
  }, 60_000);

  it('generates the same client from the served /schema.graphql (how codegen reaches a production gateway)', async () => {
    const codegen = join(import.meta.dirname, '..', 'node_modules', '.bin', 'graphql-codegen');
    const served = endpoint.replace(/\/graphql$/, '/schema.graphql');
    await expect(
      run(codegen, ['--config', 'codegen.ts', '--check'], {
        cwd: example,
        env: { ...process.env, GATEWAY_SCHEMA: served },
      }),
    ).resolves.toBeDefined();
  }, 60_000);

  it('maps every custom scalar of the schema, and the package exports the mapping', () => {
    const custom = Object.values(createSchema().getTypeMap())
      .filter((type) => isScalarType(type) && !isSpecifiedScalarType(type))
      .map((type) => type.name)
      .sort();
    expect(Object.keys(clientScalars).sort()).toEqual(custom);
  });

  it('pages every ledger by documentId along endCursor, typed', async () => {
    const { ledgers, pages, complete, errors } = await listLedgers(endpoint, { pageSize: 2, maxPages: 50 });
    expect(errors).toEqual([]);
    expect(complete).toBe(true);
    expect(pages).toBe(Math.ceil(ledgers.length / 2));
    expect(new Set(ledgers.map((ledger) => ledger.source.name))).toEqual(
      new Set(gateway.demo.sources.map((source) => source.name)),
    );
    expect(new Set(ledgers.map((ledger) => ledger.id)).size).toBe(ledgers.length);
    expectTypeOf(ledgers[0]!.source.kind).toEqualTypeOf<
      'BLNK' | 'FORMANCE' | 'LEDGER_ENTERPRISE' | 'MIDAZ' | 'VONAGE'
    >();
  });

  it('reads a ledger by node(id) with exact balances, and an account history, all scalars as strings', async () => {
    const { ledgers } = await listLedgers(endpoint, { pageSize: 3, maxPages: 1 });
    const treasury = ledgers.find((ledger) => ledger.name === 'treasury');
    expect(treasury).toBeDefined();
    const { accounts, errors } = await ledgerAccounts(endpoint, treasury!.id, 5);
    expect(errors).toEqual([]);
    const totals = accounts!.flatMap((account) => account.balances ?? []).map((balance) => balance.total);
    // Above 2^53 minor units, digit for digit: a string all the way.
    expect(totals).toContainEqual({
      amount: '180143980094819.85',
      minorUnits: '18014398009481985',
      scale: 2,
      asset: 'USD',
    });
    expectTypeOf(totals[0]!.minorUnits).toEqualTypeOf<string>();
    expectTypeOf(totals[0]!.amount).toEqualTypeOf<string>();

    const account = accounts!.find((candidate) => candidate.balances?.some((balance) => balance.asset === 'USD'));
    const history = await dailyHistory(endpoint, account!.id, 'USD', { days: 7 });
    expect(history.errors).toEqual([]);
    expect(history.points).toHaveLength(7);
    expect(
      history.points!.every((point) => point.balance.asset === 'USD' && /^-?\d+$/.test(point.balance.minorUnits)),
    ).toBe(true);
    expectTypeOf(history.points![0]!.at).toEqualTypeOf<string>();
  });

  it('is refused, with a code, for a document the gateway does not list', async () => {
    const unlisted = new TypedDocumentString('query Other { sources { name } }', {
      hash: `sha256:${'0'.repeat(64)}`,
    }) as unknown as typeof LedgersPageDocument;
    const refused = await execute(endpoint, unlisted, { first: 1 }).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RequestRefused);
    expect((refused as RequestRefused).errors.map((error) => error.extensions?.code)).toEqual([
      'PERSISTED_QUERY_NOT_FOUND',
    ]);
  });

  it('runs as a program (node src/main.ts <endpoint>) and prints ledgers, balances and history', async () => {
    const { stdout } = await run(process.execPath, [join('src', 'main.ts'), endpoint], { cwd: example });
    const lines = stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^\d+ ledgers in \d+ pages$/);
    expect(lines).toContain('ledger formance-demo/main (FORMANCE)');
    expect(lines.some((line) => /^balance \S+ -?\d+(\.\d+)? \S+ \(-?\d+ minor units\)$/.test(line))).toBe(true);
    expect(lines.filter((line) => line.startsWith('history '))).toHaveLength(7);
  }, 60_000);

  it('runs against `balance-gateway --demo --persisted-operations <its file>`, a process of its own', async () => {
    const documents = join(example, 'src', 'gql', 'persisted-documents.json');
    const demo = runGateway(['--demo', '--persisted-operations', documents, '--port', '0', '--log-level', 'warn']);
    try {
      const [, url] = await waitFor(demo, /listening on (http:\S+\/graphql)/);
      const { stdout } = await run(process.execPath, [join('src', 'main.ts'), url!], { cwd: example });
      expect(stdout).toContain('ledger formance-demo/main (FORMANCE)');
      expect(stdout.split('\n').filter((line) => line.startsWith('history '))).toHaveLength(7);
      // The same gateway refuses a document sent as text.
      const raw = await fetch(url!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ sources { name } }' }),
      });
      expect((await raw.json()).errors[0].extensions.code).toBe('PERSISTED_QUERY_ONLY');
    } finally {
      demo.stop();
      await demo.exited;
    }
  }, 60_000);
});
