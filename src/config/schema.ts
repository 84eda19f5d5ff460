import { z } from 'zod';
import { serverSchema } from './server.ts';
import { sourcesSchema } from './sources.ts';

/**
 * The whole of `gateway.yaml`, as the gateway checks it at start-up and as `npm run
 * config-schema` writes it for editors (schema/gateway.schema.json).
 */
export const gatewaySchema = z.strictObject(
  { server: serverSchema.optional(), sources: sourcesSchema },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys' ? 'unknown field (expected one of server, sources)' : 'must be an object',
  },
);

export type GatewayFields = z.output<typeof gatewaySchema>;
