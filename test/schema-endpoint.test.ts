import { readFile } from 'node:fs/promises';
import { buildSchema, getIntrospectionQuery, printSchema } from 'graphql';
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from './helpers/gateway.ts';

// GET /schema.graphql: the SDL clients generate their types from, also where introspection is off.
describe('GET /schema.graphql in production mode', () => {
  let gateway: TestGateway;
  let url = '';
  beforeAll(async () => {
    gateway = await startTestGateway({ server: { mode: 'production' } });
    url = (await gateway.listen()).replace(/\/graphql$/, '/schema.graphql');
  });
  afterAll(() => gateway.close());

  it('answers the printed public schema, the reviewed snapshot, while introspection is refused', async () => {
    const introspection = await gateway.query(getIntrospectionQuery());
    expect(introspection.body.data ?? null).toBeNull();
    expect(introspection.body.errors?.length).toBeGreaterThan(0);

    const answer = await request(url);
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['content-type']).toBe('text/plain; charset=utf-8');
    const sdl = await answer.body.text();
    expect(sdl).toBe(await readFile(new URL('./__snapshots__/schema.graphql', import.meta.url), 'utf8'));
    // What a codegen reads back is the schema itself.
    expect(printSchema(buildSchema(sdl))).toBe(sdl);
  });

  it('carries an ETag: the same tag revalidates with 304 and no body, another gets the SDL', async () => {
    const first = await request(url);
    await first.body.text();
    const etag = String(first.headers.etag);
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
    const again = await request(url, { headers: { 'if-none-match': `W/"other", ${etag}` } });
    expect(again.statusCode).toBe(304);
    expect(await again.body.text()).toBe('');
    const other = await request(url, { headers: { 'if-none-match': '"other"' } });
    expect(other.statusCode).toBe(200);
    expect((await other.body.text()).length).toBeGreaterThan(1000);
  });

  it('answers HEAD without a body and refuses other methods with 405', async () => {
    const head = await request(url, { method: 'HEAD' });
    expect(head.statusCode).toBe(200);
    expect(head.headers.etag).toBeDefined();
    await head.body.text();
    const post = await request(url, { method: 'POST', body: '{}' });
    expect(post.statusCode).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    await post.body.text();
  });
});
