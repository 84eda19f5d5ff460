import { z } from 'zod';
import { gatewaySchema } from './schema.ts';

/** What `${NAME}` looks like in the file: any field may hold one, its value read at start-up. */
const ENVIRONMENT_VARIABLE = {
  type: 'string',
  pattern: '\\$\\{[A-Za-z_][A-Za-z0-9_]*\\}',
  description: 'Replaced at start-up by the environment variable NAME in ${NAME}.',
};

type Json = Record<string, unknown>;

/**
 * A number, a boolean or a string of a given form: in the file it may be `${NAME}` instead,
 * which the schema cannot see through. The discriminator `kind` (a `const`) stays as it is, so an
 * editor still tells the vendors apart.
 */
function checksItsForm(node: Json): boolean {
  if (node.type === 'integer' || node.type === 'number' || node.type === 'boolean') return true;
  if (node.type !== 'string' || 'const' in node) return false;
  return 'enum' in node || 'pattern' in node || (typeof node.minLength === 'number' && node.minLength > 1);
}

/** Turns `node` into `anyOf: [node, ${NAME}]`, in place, its description kept on the outside. */
function allowReference(node: Json): void {
  const { description, ...form } = node;
  for (const key of Object.keys(node)) delete node[key];
  if (description !== undefined) node.description = description;
  node.anyOf = [form, { $ref: '#/definitions/environmentVariable' }];
}

/**
 * The JSON Schema (draft-07) of `gateway.yaml`, from the zod schemas the gateway validates with:
 * what `npm run config-schema` writes to schema/gateway.schema.json for editors
 * (`# yaml-language-server: $schema=…`). `sources[]` is a union on `kind`, so an editor completes
 * each vendor's own fields.
 */
export function gatewayJsonSchema(): Json {
  const schema = z.toJSONSchema(gatewaySchema, {
    target: 'draft-7',
    io: 'output',
    unrepresentable: 'any',
    override: ({ jsonSchema, path }) => {
      // A map's keys (currency codes) are never replaced: only values are.
      if (path.includes('propertyNames')) return;
      if (checksItsForm(jsonSchema as Json)) allowReference(jsonSchema as Json);
    },
  }) as Json;
  const { $schema, definitions, ...rest } = schema;
  return {
    $schema,
    title: 'balance-gateway configuration (gateway.yaml)',
    ...rest,
    definitions: { ...(definitions as Json | undefined), environmentVariable: ENVIRONMENT_VARIABLE },
  };
}
