import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BLNK_DEMO_API_KEY, startBlnkSimulator } from '../src/simulators/blnk/index.ts';
import { DEMO_VENDORS, startDemoSources, type DemoSources } from '../src/simulators/demo.ts';
import { PAGING_FAULTS, SIMULATOR_FAULTS } from '../src/simulators/faults.ts';
import { logLine, modulesLoadedBy, run, waitFor } from './helpers/cli.ts';

describe('the balance-gateway command', () => {
  let demo: DemoSources;
  let directory: string;
  beforeAll(async () => {
    demo = await startDemoSources();
    directory = await mkdtemp(join(tmpdir(), 'gateway-cli-'));
  });
  afterAll(async () => {
    await demo?.close();
  });

  it('starts from a config file with ${VARS}, answers /health and GraphQL, and exits 0 on SIGTERM', async () => {
    const byKind = (kind: string) =>
      (demo.sources as Array<Record<string, Record<string, string>>>).find(
        (source) => (source.kind as unknown) === kind,
      );
    const [formance, blnk] = [byKind('formance'), byKind('blnk')];
    const file = join(directory, 'gateway.yaml');
    await writeFile(
      file,
      [
        'server: { graphiql: false }',
        'sources:',
        `  - { name: ledger-eu, kind: formance, url: "${formance!.url}", auth: { clientId: "${formance!.auth!.clientId}", clientSecret: "\${FORMANCE_SECRET}" } }`,
        `  - { name: payments, kind: blnk, url: "${blnk!.url}", auth: { apiKey: "\${BLNK_KEY}" }, currencyScales: { USD: 2, EUR: 2, NGN: 2, BTC: 8, JPY: 0, GBP: 2 } }`,
      ].join('\n'),
    );
    const gateway = run(['--config', file, '--port', '0'], {
      FORMANCE_SECRET: formance!.auth!.clientSecret!,
      BLNK_KEY: blnk!.auth!.apiKey!,
    });
    try {
      const [, url] = await waitFor(gateway, /listening on (http:\/\/\S+\/graphql)/);
      expect((await fetch(url!.replace('/graphql', '/health'))).status).toBe(200);
      const response = await fetch(`${url}?query=${encodeURIComponent('{ sources { name kind } }')}`, {
        headers: { 'x-graphql-yoga-csrf': '1' },
      });
      expect(await response.json()).toEqual({
        data: {
          sources: [
            { name: 'ledger-eu', kind: 'FORMANCE' },
            { name: 'payments', kind: 'BLNK' },
          ],
        },
      });
    } finally {
      gateway.stop();
    }
    expect(await gateway.exited).toBe(0);
  });

  it('loads no module of src/simulators/ when started from a config file; demo mode loads them', async () => {
    const source = (file: string) => pathToFileURL(join(import.meta.dirname, '..', 'src', file)).href;
    const modulesOf = async (args: string[], name: string) => {
      // A request too, so that what the gateway loads on first use is loaded as well.
      const { status, exitCode, modules } = await modulesLoadedBy(
        args,
        join(directory, `${name}.modules`),
        '{ ledgers(first: 1) { nodes { name } } }',
      );
      expect(status).toBe(200);
      expect(exitCode).toBe(0);
      return modules;
    };
    const file = join(directory, 'blnk.json');
    const blnk = demo.sources.find((entry) => entry.kind === 'blnk');
    await writeFile(file, JSON.stringify({ server: { graphiql: false }, sources: [blnk] }));

    const production = await modulesOf(['--config', file, '--port', '0'], 'config');
    expect(production).toEqual(expect.arrayContaining([source('cli.ts'), source('gateway.ts')]));
    expect(production.filter((url) => url.startsWith(source('simulators/')))).toEqual([]);

    const demoMode = await modulesOf(['--demo', '--port', '0'], 'demo');
    expect(demoMode).toEqual(
      expect.arrayContaining([source('simulators/demo.ts'), source('simulators/blnk/index.ts')]),
    );
  });

  it('lists every vendor kind of the demo and every simulator fault, paging faults included, in its usage', async () => {
    const help = run(['--help']);
    expect(await help.exited).toBe(0);
    expect(help.output()).toContain(
      `make vendor V (${DEMO_VENDORS.join(', ')}) fail with F\n                    (${[...SIMULATOR_FAULTS, ...PAGING_FAULTS].join(', ')})\n`,
    );
  });

  it('stops with a one-line message naming the field, and no secret, when the config is invalid', async () => {
    const file = join(directory, 'bad.yaml');
    await writeFile(
      file,
      'sources:\n  - { name: payments, kind: blnk, url: "http://127.0.0.1:1", auth: { apiKey: "${BLNK_KEY}" }, currencyScales: { USD: two } }\n',
    );
    const gateway = run(['--config', file], { BLNK_KEY: 'very-secret-key' });
    expect(await gateway.exited).toBe(1);
    expect(gateway.output().trim()).toBe(
      'balance-gateway: sources[0].currencyScales.USD: must be an integer from 0 to 36',
    );
  });

  it('names the missing environment variable', async () => {
    const file = join(directory, 'env.yaml');
    await writeFile(
      file,
      'sources:\n  - { name: payments, kind: blnk, url: "http://127.0.0.1:1", auth: { apiKey: "${BLNK_KEY_MISSING}" } }\n',
    );
    const gateway = run(['--config', file]);
    expect(await gateway.exited).toBe(1);
    expect(gateway.output().trim()).toBe(
      'balance-gateway: sources[0].auth.apiKey: environment variable BLNK_KEY_MISSING is not set',
    );
  });

  it('explains its usage when given neither --config nor --demo', async () => {
    const gateway = run([]);
    expect(await gateway.exited).toBe(1);
    expect(gateway.output()).toContain('pass --config FILE or --demo');
  });

  it('runs the demo with a vendor made sick by --fault, and refuses a bad --fault', async () => {
    const gateway = run(['--demo', '--port', '0', '--fault', 'blnk=html-error']);
    try {
      const [, url] = await waitFor(gateway, /listening on (http:\/\/\S+)/);
      expect(gateway.output()).toContain('fault: the blnk simulator answers with "html-error"');
      const response = await fetch(url!, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ ledgers(first: 100) { nodes { source { name } } } }' }),
      });
      const body = (await response.json()) as {
        data: { ledgers: { nodes: Array<{ source: { name: string } }> } };
        errors: Array<{ extensions: unknown }>;
      };
      expect(response.status).toBe(200);
      expect(body.errors.map((error) => error.extensions)).toEqual([
        { code: 'SOURCE_UNAVAILABLE', source: 'blnk-demo' },
      ]);
      expect(new Set(body.data.ledgers.nodes.map((node) => node.source.name))).toEqual(
        new Set(['formance-demo', 'ledger-enterprise-demo', 'midaz-demo', 'vonage-demo']),
      );
    } finally {
      gateway.stop();
      await gateway.exited;
    }
    const bad = run(['--demo', '--fault', 'blnk=meltdown']);
    expect(await bad.exited).toBe(1);
    expect(bad.output()).toContain('--fault must be VENDOR=FAULT');
  });

  describe('SIGTERM drains', () => {
    const slowBlnk = async (file: string, latencyMs: number, drainMs: number) => {
      const blnk = await startBlnkSimulator({ apiKey: BLNK_DEMO_API_KEY, latencyMs });
      await writeFile(
        file,
        [
          `server: { graphiql: false, drainMs: ${drainMs} }`,
          'sources:',
          `  - { name: slow, kind: blnk, url: "${blnk.url}", auth: { apiKey: "${BLNK_DEMO_API_KEY}" }, timeoutMs: 10000, currencyScales: { USD: 2, EUR: 2, NGN: 2, BTC: 8, JPY: 0, GBP: 2 } }`,
        ].join('\n'),
      );
      return blnk;
    };
    const ask = (url: string) =>
      fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ ledgers(first: 1) { nodes { name } } }' }),
      });

    it('finishes the request in flight with Connection: close, refuses new connections, and exits 0', async () => {
      const blnk = await slowBlnk(join(directory, 'drain.yaml'), 800, 5000);
      const gateway = run(['--config', join(directory, 'drain.yaml'), '--port', '0']);
      try {
        const [, url] = await waitFor(gateway, /listening on (http:\/\/\S+)/);
        expect((await fetch(url!.replace('/graphql', '/ready'))).status).toBe(200);
        const inFlight = ask(url!);
        while (blnk.inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 10));
        gateway.stop();
        await waitFor(gateway, /"msg":"no longer accepting connections"/);
        const fresh = new Agent();
        await expect(request(url!.replace('/graphql', '/ready'), { dispatcher: fresh })).rejects.toThrow(
          'ECONNREFUSED',
        );
        await fresh.close();
        const response = await inFlight;
        expect([response.status, response.headers.get('connection')]).toEqual([200, 'close']);
        expect(await response.json()).toEqual({ data: { ledgers: { nodes: [{ name: expect.any(String) }] } } });
        expect(await gateway.exited).toBe(0);
        // It stopped as soon as the request was answered, not when drainMs ran out.
        expect(gateway.output()).not.toContain('drain period over');
        expect(logLine(gateway, 'stopped')).toMatchObject({ requests: 2, answered: 2, cut: 0 });
      } finally {
        gateway.stop();
        await blnk.close();
      }
    });

    it('with drainNoticeMs, answers /ready 503 and still serves while a load balancer catches up, then exits 0', async () => {
      const blnk = await slowBlnk(join(directory, 'notice.yaml'), 0, 5000);
      await writeFile(
        join(directory, 'notice.yaml'),
        (await readFile(join(directory, 'notice.yaml'), 'utf8')).replace(
          'drainMs: 5000',
          'drainMs: 5000, drainNoticeMs: 1500',
        ),
      );
      const gateway = run(['--config', join(directory, 'notice.yaml'), '--port', '0']);
      try {
        const [, url] = await waitFor(gateway, /listening on (http:\/\/\S+)/);
        gateway.stop();
        await waitFor(gateway, /"msg":"draining"/);
        const ready = await fetch(url!.replace('/graphql', '/ready'));
        expect([ready.status, await ready.json()]).toEqual([503, { status: 'draining' }]);
        expect((await ask(url!)).status).toBe(200);
        expect(await gateway.exited).toBe(0);
      } finally {
        gateway.stop();
        await blnk.close();
      }
    });

    it('cuts a request still running when the drain period ends, and still exits 0', async () => {
      const blnk = await slowBlnk(join(directory, 'cut.yaml'), 8000, 300);
      const gateway = run(['--config', join(directory, 'cut.yaml'), '--port', '0']);
      try {
        const [, url] = await waitFor(gateway, /listening on (http:\/\/\S+)/);
        const inFlight = ask(url!).then(
          (response) => response.status,
          () => 'cut',
        );
        while (blnk.inFlight === 0) await new Promise((resolve) => setTimeout(resolve, 10));
        gateway.stop();
        expect(await gateway.exited).toBe(0);
        expect(await inFlight).toBe('cut');
        expect(gateway.output()).toContain('drain period over');
        expect(logLine(gateway, 'stopped')).toMatchObject({ requests: 1, answered: 0, cut: 1 });
      } finally {
        gateway.stop();
        await blnk.close();
      }
    });
  });
});
