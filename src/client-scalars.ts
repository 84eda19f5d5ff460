/**
 * How a client types this gateway's custom scalars, for graphql-codegen's `scalars` option (the
 * client preset, typescript-operations): each travels as a JSON string, exact, and stays one (an
 * amount must never pass through a JS number); `JSON` (account metadata) is any JSON value.
 *
 * ```ts
 * import { clientScalars } from 'balance-gateway';
 * // codegen.ts: generates: { 'src/gql/': { preset: 'client', config: { scalars: clientScalars } } }
 * ```
 */
export const clientScalars = {
  Decimal: 'string',
  BigInt: 'string',
  DateTime: 'string',
  JSON: 'unknown',
} as const satisfies Record<string, string>;
