import { describe, expect, it } from 'vitest';
import { createGraphiQLRenderer } from '../src/plugins/graphiql-page.ts';

describe("GraphiQL's page renderer", () => {
  it('renders once for visits that arrive while the page renders, and once per day after', async () => {
    let today = new Date('2026-12-06T10:00:00Z');
    const render = createGraphiQLRenderer(() => today);
    const visits = Array.from({ length: 5 }, () => render({ title: 'balance-gateway' }));
    // One render shared: each visit holds the same pending page, not a render of its own.
    for (const visit of visits) expect(visit).toBe(visits[0]);
    const page = await visits[0];
    expect(page).toContain('plugins: undefined');
    expect(render({ title: 'balance-gateway' })).toBe(visits[0]);
    today = new Date('2026-12-07T10:00:00Z');
    const tomorrow = render({ title: 'balance-gateway' });
    expect(tomorrow).not.toBe(visits[0]);
    expect(await tomorrow).toContain('2026-12-07');
  });
});
