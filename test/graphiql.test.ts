import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page, type Request } from 'playwright-core';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

// GraphiQL as a person uses it: Debian's Chromium, headless, runs the default query.
// CI installs the `chromium` package (.ci/run); without it this suite is reported as skipped.
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe.skipIf(!existsSync(CHROMIUM))('GraphiQL in headless Chromium', () => {
  let t: TestGateway;
  let browser: Browser;
  let url = '';
  beforeAll(async () => {
    t = await startTestGateway();
    url = await t.listen();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it("loads, runs the default query and shows every source's data", async () => {
    const page = await (await browser.newContext()).newPage();
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    await page.goto(url);
    const run = page.locator('.graphiql-execute-button');
    await run.waitFor({ timeout: 30_000 });
    // The response editor renders only the lines on screen: read the whole answer off the wire,
    // and check the panel shows its beginning.
    const [answer] = await Promise.all([
      page.waitForResponse(
        (response) =>
          response.url() === url &&
          response.request().method() === 'POST' &&
          (response.request().postData() ?? '').includes('FirstLook'),
      ),
      run.click(),
    ]);
    const body = (await answer.json()) as {
      data?: { sources: Array<{ name: string }>; ledgers: { nodes: unknown[] } };
      errors?: unknown;
    };
    expect(body.errors).toBeUndefined();
    expect(body.data?.sources.map((source) => source.name)).toEqual(t.demo.sources.map((source) => source.name));
    expect(JSON.stringify(body.data)).toContain('minorUnits');
    const panel = page.locator('.graphiql-response');
    await expect
      // biome-ignore lint/performance/useDomNodeTextContent: what is rendered; textContent would also match hidden text
      .poll(async () => panel.innerText(), { timeout: 20_000 })
      .toContain(t.demo.sources[0]!.name as string);
    await page.screenshot({ path: 'test/__artifacts__/graphiql.png' }).catch(() => undefined);
    expect(failures).toEqual([]);
  }, 60_000);

  /** A fresh browser profile (no tabs or history stored), on the page once GraphiQL is ready. */
  const openGraphiQL = async (): Promise<{ page: Page; failures: string[] }> => {
    const page = await (await browser.newContext()).newPage();
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(error.message));
    await page.goto(url);
    await page.locator('.graphiql-execute-button').waitFor({ timeout: 30_000 });
    return { page, failures };
  };

  it('arrives compressed and far smaller than the page itself', async () => {
    const plain = await request(url, { headers: { accept: 'text/html' } });
    const plainBytes = (await plain.body.arrayBuffer()).byteLength;
    expect(plain.headers['content-encoding']).toBeUndefined();
    const page = await (await browser.newContext()).newPage();
    const response = await page.goto(url);
    const encoding = (await response?.allHeaders())?.['content-encoding'];
    const sent = (await response!.request().sizes()).responseBodySize;
    const rendered = (await response!.body()).byteLength;
    console.log(
      `GraphiQL page: ${plainBytes} bytes plain, ${sent} bytes sent to Chromium (${encoding}), ${rendered} decoded`,
    );
    expect(['br', 'gzip']).toContain(encoding);
    expect(rendered).toBe(plainBytes);
    expect(sent).toBeLessThan(plainBytes / 3);
    await page.context().close();
  }, 60_000);

  /** Runs the operation of the tab named `name` and returns its answer off the wire. */
  const runTab = async (page: Page, name: string) => {
    const tab = page.getByRole('tab', { name });
    // A click event on the tab's button, not a pointer click at coordinates: headless, GraphiQL's tab
    // bar keeps the offsets of its opening animation, so a click at a tab's box can land on its neighbour.
    await tab.locator('.graphiql-tab-button').dispatchEvent('click');
    await expect.poll(async () => tab.getAttribute('aria-selected'), { timeout: 10_000 }).toBe('true');
    // The editor holds the tab's operation before it runs: on a busy machine the switch can lag the selection.
    await expect
      // biome-ignore lint/performance/useDomNodeTextContent: Playwright's innerText is the editor's rendered text, one line per line; textContent would run lines together
      .poll(async () => (await page.locator('.graphiql-query-editor').innerText()).replace(/\s+/g, ' '), {
        timeout: 10_000,
      })
      .toContain(`query ${name}`);
    const ours = (request: Request) => request.url() === url && (request.postData() ?? '').includes(name);
    const answer = page.waitForResponse((response) => ours(response.request()), { timeout: 60_000 });
    answer.catch(() => undefined); // awaited below; a failure before that must not surface as unhandled
    // While its editor's workers still load (slow when the machine is busy), GraphiQL ignores a click
    // on Execute: nothing is sent. Click until the request leaves; once one has, no click is repeated.
    let sent = false;
    const onRequest = (request: Request) => {
      if (ours(request)) sent = true;
    };
    page.on('request', onRequest);
    for (let clicks = 0; !sent; clicks += 1) {
      if (clicks === 20) throw new Error(`GraphiQL sent no request for ${name} after 20 clicks on Execute`);
      await page.locator('.graphiql-execute-button').click();
      await expect
        .poll(() => sent, { timeout: 3000 })
        .toBe(true)
        .catch(() => undefined);
    }
    page.off('request', onRequest);
    return (await (await answer).json()) as { data?: Record<string, any>; errors?: unknown };
  };

  it('opens with tabs for paging with after, node(id) and balance history; paging and history run with data', async () => {
    const { page, failures } = await openGraphiQL();
    const tabs = page.locator('.graphiql-tab');
    await expect
      .poll(async () => (await tabs.allInnerTexts()).map((title) => title.trim()), { timeout: 10_000 })
      .toEqual(['FirstLook', 'LedgersPage', 'SomeIds', 'BalanceHistory']);
    const paging = await runTab(page, 'LedgersPage');
    expect(paging.errors).toBeUndefined();
    const ledgers = paging.data?.ledgers;
    expect(ledgers.edges).toHaveLength(3);
    expect(ledgers.pageInfo).toEqual({ hasNextPage: true, endCursor: ledgers.edges[2].cursor });
    const history = await runTab(page, 'BalanceHistory');
    expect(history.errors).toBeUndefined();
    const points = history.data?.ledgers.nodes[0].accounts.nodes[0].history.nodes;
    expect(points.length).toBeGreaterThan(1);
    expect(points[0].balance).toMatchObject({ asset: 'USD', scale: 2 });
    expect(failures).toEqual([]);
    await page.context().close();
  }, 60_000);

  it('has a History pane that lists the operations run', async () => {
    const { page, failures } = await openGraphiQL();
    await Promise.all([
      page.waitForResponse((response) => response.url() === url && response.request().method() === 'POST'),
      page.locator('.graphiql-execute-button').click(),
    ]);
    await page.locator('button[aria-label="Show History"]').click();
    const history = page.locator('.graphiql-history');
    await history.waitFor({ timeout: 10_000 });
    // biome-ignore lint/performance/useDomNodeTextContent: what is rendered
    await expect.poll(async () => history.innerText(), { timeout: 10_000 }).toContain('FirstLook');
    expect(failures).toEqual([]);
    await page.context().close();
  }, 60_000);
});
