import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

// The demand checks keep the last verdict of each operation by its variables' text
// (src/limits/operation.ts): one document asked with other variables is judged afresh each time.
describe('the demand limits of one document with changing variables', () => {
  let t: TestGateway;
  beforeAll(async () => {
    t = await startTestGateway({ server: { limits: { maxPageSize: 50 } } });
  });
  afterAll(async () => {
    await t?.close();
  });

  const LEDGERS = 'query($n: Int) { ledgers(first: $n) { nodes { name } } }';
  const codeOf = async (variables: Record<string, unknown>) =>
    (await t.query(LEDGERS, variables)).body.errors?.[0]?.extensions?.code ?? 'answered';

  it('refuses only the variables over the limit, whatever was asked before', async () => {
    const codes = [];
    for (const n of [5, 5, 51, 51, 5, 51]) codes.push(await codeOf({ n }));
    expect(codes).toEqual(['answered', 'answered', 'LIMIT_EXCEEDED', 'LIMIT_EXCEEDED', 'answered', 'LIMIT_EXCEEDED']);
  });
});
