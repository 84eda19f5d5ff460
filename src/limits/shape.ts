import {
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** What an operation looks like, whatever its variables: how deep its fields nest, how many it selects and aliases. */
export interface OperationShape {
  /** Field nesting depth: `{ sources { name } }` is 2. Introspection's `__schema`/`__type` subtrees count 0. */
  readonly depth: number;
  /** Aliased fields, a fragment's counted each time it is spread. */
  readonly aliases: number;
  /** Fields, introspection's included, a fragment's counted each time it is spread: `{ sources { name } }` is 2. */
  readonly fields: number;
}

const INTROSPECTION = new Set(['__schema', '__type']);
const NONE: OperationShape = { depth: 0, aliases: 0, fields: 0 };

/**
 * Measures `operation`, following fragment spreads and inline fragments. Each fragment is measured
 * once and its result reused at every spread, so a document whose fragments spread each other
 * twice over (2^n paths) takes linear time; a cycle (which validation refuses anyway) counts 0.
 */
export function measureShape(document: DocumentNode, operation: OperationDefinitionNode): OperationShape {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions)
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  const measured = new Map<string, OperationShape>();
  const spreading = new Set<string>();

  const fragment = (name: string): OperationShape => {
    const known = measured.get(name);
    if (known) return known;
    const definition = fragments.get(name);
    if (!definition || spreading.has(name)) return NONE;
    spreading.add(name);
    const shape = selections(definition.selectionSet);
    spreading.delete(name);
    measured.set(name, shape);
    return shape;
  };

  const selections = (set: SelectionSetNode): OperationShape => {
    let depth = 0;
    let aliases = 0;
    let fields = 0;
    for (const selection of set.selections) {
      let inner: OperationShape;
      if (selection.kind === Kind.FIELD) {
        const children = selection.selectionSet ? selections(selection.selectionSet) : NONE;
        // GraphiQL's and codegen's introspection queries nest ~10 deep; the bracket cap still bounds them.
        inner = {
          depth: INTROSPECTION.has(selection.name.value) ? 0 : 1 + children.depth,
          aliases: children.aliases + (selection.alias ? 1 : 0),
          fields: children.fields + 1,
        };
      } else {
        inner =
          selection.kind === Kind.INLINE_FRAGMENT ? selections(selection.selectionSet) : fragment(selection.name.value);
      }
      depth = Math.max(depth, inner.depth);
      aliases += inner.aliases;
      fields += inner.fields;
    }
    return { depth, aliases, fields };
  };

  return selections(operation.selectionSet);
}
