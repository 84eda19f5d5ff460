import { locatedError, responsePathAsArray } from 'graphql';
import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.ts';

/**
 * Adds the errors of sources a field skipped (a sick source inside a merged list) to the
 * response, each located at its field, while the field's data from healthy sources stays.
 */
export function usePartialErrors(): Plugin<GatewayContext> {
  return {
    onExecute: () => ({
      onExecuteDone({ args, result, setResult }) {
        const { partialErrors } = args.contextValue as GatewayContext;
        if (partialErrors.length === 0 || !('data' in result)) return;
        const errors = partialErrors.map(({ error, info }) =>
          locatedError(error, info.fieldNodes, responsePathAsArray(info.path)),
        );
        setResult({ ...result, errors: [...(result.errors ?? []), ...errors] });
      },
    }),
  };
}
