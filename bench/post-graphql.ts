import type { Pool } from 'undici';

/**
 * Posts one GraphQL request to a gateway over `pool` and reads its answer. Anything but HTTP 200
 * fails; so do errors in the answer unless `partial` (a sick source is expected), when they are
 * counted and returned beside the data.
 */
export async function postGraphQL(
  pool: Pool,
  query: string,
  variables: Record<string, unknown> = {},
  partial = false,
): Promise<{ data: Record<string, any>; errors: number }> {
  const response = await pool.request({
    method: 'POST',
    path: '/graphql',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await response.body.json()) as { data?: Record<string, unknown>; errors?: unknown[] };
  if (response.statusCode !== 200 || (body.errors && !partial))
    throw new Error(`bench query failed: ${JSON.stringify(body.errors ?? response.statusCode).slice(0, 300)}`);
  return { data: body.data ?? {}, errors: body.errors?.length ?? 0 };
}
