import { type GraphQLScalarType, Kind, type GraphQLScalarTypeConfig, type ValueNode } from 'graphql';
import { BadUserInputError } from '../errors.ts';

/** Exact decimal amounts travel as strings; a JS number would lose digits, so none is accepted. */
const DECIMAL = /^-?\d+(\.\d+)?$/;
const INTEGER = /^-?\d+$/;
// RFC 3339 date-time with a time zone (GraphQL Scalars' DateTime spec).
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i;

function stringLiteral(ast: ValueNode, name: string): string {
  if (ast.kind !== Kind.STRING) throw new BadUserInputError(`${name} must be written as a string`);
  return ast.value;
}

function parseDecimal(value: unknown): string {
  if (typeof value === 'string' && DECIMAL.test(value)) return value;
  throw new BadUserInputError('Decimal must be a string such as "12.34"');
}

function parseBigInt(value: unknown): string {
  if (typeof value === 'string' && INTEGER.test(value)) return value;
  throw new BadUserInputError('BigInt must be a string of digits such as "123456789012345678901"');
}

/** Normalises to UTC ISO 8601 so equal instants compare equal. */
function parseDateTime(value: unknown): string {
  if (typeof value === 'string' && DATE_TIME.test(value) && !Number.isNaN(Date.parse(value)))
    return new Date(value).toISOString();
  throw new BadUserInputError('DateTime must be an RFC 3339 string with a time zone, such as "2026-11-22T10:00:00Z"');
}

/**
 * Scalar behaviour without a name or description: graphql-tools copies every own property of a
 * scalar resolver onto the SDL's scalar, so a full GraphQLScalarType would blank the SDL's
 * description. The SDL in schema/ stays the one place scalars are described.
 */
function sdlScalar(config: Omit<GraphQLScalarTypeConfig<unknown, unknown>, 'name'>): GraphQLScalarType {
  return config as GraphQLScalarType;
}

export const Decimal = sdlScalar({
  serialize(value) {
    if (typeof value === 'string' && DECIMAL.test(value)) return value;
    throw new TypeError('Decimal must be a decimal string');
  },
  parseValue: parseDecimal,
  parseLiteral: (ast) => parseDecimal(stringLiteral(ast, 'Decimal')),
});

export const BigIntScalar = sdlScalar({
  serialize(value) {
    if (typeof value === 'bigint') return value.toString();
    if (typeof value === 'string' && INTEGER.test(value)) return value;
    throw new TypeError('BigInt must be a bigint or an integer string');
  },
  parseValue: parseBigInt,
  parseLiteral: (ast) => parseBigInt(stringLiteral(ast, 'BigInt')),
});

export const DateTime = sdlScalar({
  serialize(value) {
    if (typeof value === 'string' && DATE_TIME.test(value)) return value;
    throw new TypeError('DateTime must be an RFC 3339 string');
  },
  parseValue: parseDateTime,
  parseLiteral: (ast) => parseDateTime(stringLiteral(ast, 'DateTime')),
});

export const JSONScalar = sdlScalar({
  serialize: (value) => value,
  parseValue: (value) => value,
});
