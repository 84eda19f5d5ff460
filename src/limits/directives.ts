import { visit, type DocumentNode } from 'graphql';

/** Directive uses anywhere in the document: on fields, fragments, operations and variable definitions. */
export function countDirectives(document: DocumentNode): number {
  let count = 0;
  // graphql-js's visit keeps its own stack: no recursion however deep the document.
  visit(document, {
    Directive() {
      count += 1;
    },
  });
  return count;
}
