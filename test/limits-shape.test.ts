import { getOperationAST, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { measureShape } from '../src/limits/shape.ts';

const shapeOf = (text: string) => {
  const document = parse(text);
  const operation = getOperationAST(document);
  if (!operation) throw new Error('no operation');
  return measureShape(document, operation);
};

describe('measureShape', () => {
  it('counts depth, aliases and fields, a fragment at each of its spreads', () => {
    expect(shapeOf('{ sources { name } }')).toEqual({ depth: 2, aliases: 0, fields: 2 });
    expect(
      shapeOf(`{
        a: sources { ...S }
        b: sources { ...S ... on Source { kind } }
      }
      fragment S on Source { n: name kind }`),
    ).toEqual({ depth: 2, aliases: 4, fields: 7 });
  });

  it('counts introspection fields but not their depth', () => {
    expect(shapeOf('{ __schema { types { name fields { name } } } }')).toEqual({ depth: 0, aliases: 0, fields: 5 });
  });

  it('counts a document whose fragments spread each other twice over (2^40 paths) without walking each path', () => {
    const levels = 40;
    const fragments = Array.from(
      { length: levels },
      (_, level) => `fragment F${level} on Query { ...F${level + 1} ...F${level + 1} }`,
    );
    const text = `{ ...F0 } ${fragments.join(' ')} fragment F${levels} on Query { sources { name } }`;
    // Each fragment is measured once: a walk of every path would not end before the test's timeout.
    const shape = shapeOf(text);
    expect(shape.fields).toBe(2 ** levels * 2);
    expect(shape.depth).toBe(2);
  });
});
