import { serverAudits } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

// The GraphQL over HTTP spec audits from the graphql-http package, over a real socket.
describe('GraphQL over HTTP audits', () => {
  let t: TestGateway;
  let url = '';
  beforeAll(async () => {
    t = await startTestGateway();
    url = await t.listen();
  });
  afterAll(async () => {
    await t?.close();
  });

  for (const audit of serverAudits({
    url: () => url,
    fetchFn: (input: RequestInfo | URL, init?: RequestInit) => fetch(input, init),
  })) {
    it(audit.name, async () => {
      const result = await audit.fn();
      // MUST requirements pass outright; a SHOULD may warn (graphql-yoga's own suite allows the same) but never error.
      if (audit.name.startsWith('MUST')) expect(result.status, 'reason' in result ? result.reason : '').toBe('ok');
      else expect(result.status, 'reason' in result ? result.reason : '').not.toBe('error');
    });
  }

  it('answers GET /health with 200 once it listens', async () => {
    const response = await fetch(url.replace('/graphql', '/health'));
    expect(response.status).toBe(200);
  });

  it('serves GraphiQL to a browser at /graphql', async () => {
    const response = await fetch(url, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('GraphiQL');
  });
});
