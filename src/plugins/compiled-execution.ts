import {
  BREAK,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
  getOperationAST,
  getVariableValues,
  GraphQLError,
  type VariableDefinitionNode,
  type SourceLocation,
  visit,
} from 'graphql';
import { compileQuery, isCompiledQuery } from 'graphql-jit';
import type { Plugin } from 'graphql-yoga';
import { measureShape } from '../limits/shape.ts';
import { currentScope } from '../request-scope.ts';

/**
 * A query document runs compiled from its second run on (one-off documents, such as a person
 * exploring in GraphiQL, never pay for a compilation they would not use again).
 */
export const COMPILE_AT_RUN = 2;
/** Fields (fragments spread out) a document may select and still be compiled: compiled code grows with them. */
export const MAX_COMPILED_FIELDS_PER_DOCUMENT = 400;
/** Fields of all compiled documents kept at once; the least recently run go first. */
export const MAX_COMPILED_FIELDS = 4_000;
/**
 * Compiled documents kept at once. One holds about 4 kB plus 1.5 kB per field (measured on the
 * bench's queries), so the two caps hold compiled code to about 10 MB.
 */
export const MAX_COMPILED_DOCUMENTS = 200;

type CompiledRun = (
  root: unknown,
  context: unknown,
  variables: Record<string, unknown> | null | undefined,
) => ExecutionResult | Promise<ExecutionResult>;

interface Compiled {
  readonly operationName: string | undefined;
  readonly variables: readonly VariableDefinitionNode[];
  readonly run: CompiledRun;
  readonly fields: number;
}

/**
 * Executes the queries a client repeats with graphql-jit instead of the interpreting executor: the
 * document is compiled once into JavaScript that resolves exactly its fields, which on the list of
 * 50 balances takes about a third less CPU per request (bench/PASSES.md, "Seventh pass").
 *
 * Bounded: a document is compiled at most once per parse (one dropped from the cache is not compiled
 * again), only queries are (mutations run as before), only up to `MAX_COMPILED_FIELDS_PER_DOCUMENT`
 * fields, and the compiled documents kept number `MAX_COMPILED_DOCUMENTS` and hold `MAX_COMPILED_FIELDS`
 * fields at most.
 *
 * graphql-jit's errors carry `locations` but not the AST `nodes` yoga rebuilds every error from, so
 * each is rebuilt here as a graphql-js error at the same place in the document.
 */
export function useCompiledExecution(): Plugin {
  // Per parsed document: the runs counted before its compilation, or null once it will not be compiled (again).
  const runs = new WeakMap<DocumentNode, number | null>();
  // The compiled documents, least recently run first.
  const compiled = new Map<DocumentNode, Compiled>();
  let compiledFields = 0;

  const compile = (args: ExecutionArgs): Compiled | undefined => {
    const { document, schema } = args;
    runs.set(document, null);
    const operation = getOperationAST(document, args.operationName);
    if (operation?.operation !== 'query') return undefined;
    const { fields } = measureShape(document, operation);
    if (fields > MAX_COMPILED_FIELDS_PER_DOCUMENT || answersUnderProto(document)) return undefined;
    let result: Parameters<typeof isCompiledQuery>[0];
    try {
      result = compileQuery(schema, document, args.operationName ?? undefined);
    } catch {
      return undefined; // a document graphql-jit cannot compile runs interpreted, never fails
    }
    if (!isCompiledQuery(result)) return undefined; // the interpreter reports what is wrong with it
    const entry: Compiled = {
      operationName: args.operationName ?? undefined,
      variables: operation.variableDefinitions ?? [],
      run: result.query,
      fields,
    };
    compiled.set(document, entry);
    compiledFields += fields;
    for (const [oldest, { fields: held }] of compiled) {
      if (compiledFields <= MAX_COMPILED_FIELDS && compiled.size <= MAX_COMPILED_DOCUMENTS) break;
      compiled.delete(oldest);
      compiledFields -= held;
    }
    return entry;
  };

  const compiledFor = (args: ExecutionArgs): Compiled | undefined => {
    const { document } = args;
    const entry = compiled.get(document);
    if (entry !== undefined) {
      if (entry.operationName !== (args.operationName ?? undefined)) return undefined;
      compiled.delete(document);
      compiled.set(document, entry);
      return entry;
    }
    const counted = runs.get(document);
    if (counted === null) return undefined;
    const run = (counted ?? 0) + 1;
    if (run < COMPILE_AT_RUN) {
      runs.set(document, run);
      return undefined;
    }
    return compile(args);
  };

  return {
    onExecute({ args, setExecuteFn }) {
      const entry = compiledFor(args);
      if (entry === undefined) return;
      const operation = currentScope()?.operation;
      if (operation !== undefined) operation.compiled = true;
      setExecuteFn((execution: ExecutionArgs) => {
        const result = entry.run(execution.rootValue, execution.contextValue, execution.variableValues);
        if (result instanceof Promise) return result.then((settled) => located(settled, execution.document));
        // An answer without data is graphql-jit refusing the variables, in words of its own ("Expected
        // type Int; …"): they are refused again in the interpreter's words, so a refusal reads the same.
        if (!('data' in result) && entry.variables.length > 0) {
          const checked = getVariableValues(execution.schema, entry.variables, execution.variableValues ?? {}, {
            maxErrors: 50,
          });
          if (checked.errors !== undefined) return { errors: checked.errors };
        }
        return located(result, execution.document);
      });
    },
  };
}

/**
 * Whether a field of the document is answered under the key `__proto__`: graphql-jit 0.8.9 writes
 * each answer key into an object literal, where `__proto__` sets the object's prototype instead of
 * a field, and the field is lost. Such a document runs interpreted.
 */
function answersUnderProto(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    Field(field) {
      if ((field.alias ?? field.name).value !== '__proto__') return undefined;
      found = true;
      return BREAK;
    },
  });
  return found;
}

/** The result with each of graphql-jit's errors rebuilt as a graphql-js error at the same place, listed first. */
function located(result: ExecutionResult, document: DocumentNode): ExecutionResult {
  if (!result.errors?.length) return result;
  const source = document.loc?.source;
  let lineStarts: number[] | undefined;
  const positionOf = ({ line, column }: SourceLocation): number => {
    if (lineStarts === undefined) {
      // Lines end as graphql-js counts them (getLocation): \r\n, \n or \r.
      lineStarts = [0];
      for (const end of (source?.body ?? '').matchAll(/\r\n|[\n\r]/g)) lineStarts.push(end.index + end[0].length);
    }
    return (lineStarts[line - 1] ?? 0) + column - 1;
  };
  const errors = result.errors.map((error) =>
    error.nodes !== undefined || error.locations === undefined || source === undefined
      ? error
      : new GraphQLError(error.message, {
          source,
          positions: error.locations.map(positionOf),
          path: error.path,
          originalError: error.originalError,
          extensions: error.extensions,
        }),
  );
  // Errors first, as graphql-js answers (graphql-jit puts them after the data).
  const { errors: _, ...rest } = result;
  return { errors, ...rest };
}
