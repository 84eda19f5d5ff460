import type { TypedDocumentString } from './gql/graphql.ts';

/** A GraphQL error as the gateway sends it: `extensions.code` says what went wrong, `source` which vendor. */
export interface GatewayError {
  readonly message: string;
  readonly path?: ReadonlyArray<string | number>;
  readonly extensions?: { readonly code?: string; readonly source?: string };
}

/** An answer: the data (partial when a source failed) and one error per failed field. */
export interface Answer<TResult> {
  readonly data: TResult | null;
  readonly errors: readonly GatewayError[];
}

/** Thrown when the gateway refuses the request itself (HTTP status other than 200). */
export class RequestRefused extends Error {
  readonly status: number;
  readonly errors: readonly GatewayError[];
  constructor(status: number, errors: readonly GatewayError[]) {
    super(
      `the gateway refused the request (HTTP ${status}): ${errors.map((error) => error.extensions?.code).join(', ')}`,
    );
    this.status = status;
    this.errors = errors;
  }
}

export interface ExecuteOptions {
  /** Extra headers: `x-api-key` or `authorization` when the gateway authenticates callers. */
  readonly headers?: Record<string, string>;
  readonly signal?: AbortSignal;
}

/**
 * Runs a generated document by its persisted id: `{ documentId: "sha256:…", variables }`, the
 * GraphQL-over-HTTP persisted documents convention, so the document text never travels and a
 * gateway in persisted-only mode runs it. The variables and the result are typed by the document.
 */
export async function execute<TResult, TVariables>(
  endpoint: string,
  document: TypedDocumentString<TResult, TVariables>,
  variables: TVariables,
  options: ExecuteOptions = {},
): Promise<Answer<TResult>> {
  const documentId = document.__meta__?.hash;
  if (typeof documentId !== 'string') throw new Error('the document has no persisted id: run codegen');
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/graphql-response+json, application/json',
      ...options.headers,
    },
    body: JSON.stringify({ documentId, variables }),
    signal: options.signal,
  });
  const body = (await response.json()) as { data?: TResult | null; errors?: GatewayError[] };
  if (response.status !== 200) throw new RequestRefused(response.status, body.errors ?? []);
  return { data: body.data ?? null, errors: body.errors ?? [] };
}
