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

/**
 * Turns `node` into `anyOf: [node, …, ${NAME}]`, in place, its description kept on the outside. A
 * number or boolean field also reads its value from text (`"8080"`, `"false"`), since that is what
 * a variable gives: a file may hold the same, which start-up checks as it checks the variable's.
 */
function allowReference(node: Json): void {
  const { description, ...form } = node;
  const asText =
    form.type === 'boolean'
      ? [{ type: 'string', enum: ['true', 'false'] }]
      : form.type === 'integer'
        ? [{ type: 'string', pattern: '^-?[0-9]+$' }]
        : [];
  for (const key of Object.keys(node)) delete node[key];
  if (description !== undefined) node.description = description;
  node.anyOf = [form, ...asText, { $ref: '#/definitions/environmentVariable' }];
}

/**
 * An optional field left empty (`port:` in YAML, null in JSON) counts as left out, at start-up as
 * here: each optional property also takes null, its description kept on the outside.
 */
function allowNullWhereOptional(node: unknown): void {
  if (typeof node !== 'object' || node === null) return;
  for (const child of Object.values(node)) allowNullWhereOptional(child);
  const { properties, required } = node as { properties?: Record<string, Json>; required?: string[] };
  if (typeof properties !== 'object' || properties === null) return;
  for (const [name, property] of Object.entries(properties)) {
    const takesNull = (property.anyOf as Json[] | undefined)?.some((form) => form.type === 'null');
    if (required?.includes(name) || takesNull) continue;
    const { description, ...form } = property;
    const forms = Object.keys(form).length === 1 && Array.isArray(form.anyOf) ? form.anyOf : [form];
    properties[name] = { ...(description === undefined ? {} : { description }), anyOf: [...forms, { type: 'null' }] };
  }
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
  allowNullWhereOptional(schema);
  const { $schema, definitions, ...rest } = schema;
  return {
    $schema,
    title: 'balance-gateway configuration (gateway.yaml)',
    ...rest,
    definitions: { ...(definitions as Json | undefined), environmentVariable: ENVIRONMENT_VARIABLE },
  };
}
