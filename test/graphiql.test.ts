import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
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
    const page = await browser.newPage();
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
});
