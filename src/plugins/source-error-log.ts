import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.ts';
import { GatewayError, SourceError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/**
 * One warn line per vendor failure in a response (code, source, message, field path, and the
 * operator-level `cause` with the vendor's `status` when it was an HTTP status): yoga logs only
 * the errors it masks, and a sick vendor must show in the logs. The cause is in this line only;
 * the client's message stays the same whatever the cause. Messages of gateway errors name the
 * source and status only, never a URL, body or credential.
 */
export function useSourceErrorLog(logger: Logger): Plugin<GatewayContext> {
  return {
    onExecute: () => ({
      onExecuteDone({ result }) {
        if (!('errors' in result) || !result.errors) return;
        for (const error of result.errors) {
          const original = error.originalError;
          if (!(original instanceof GatewayError)) continue;
          const at = error.path?.join('.');
          if (original instanceof SourceError)
            logger.warn('source failed', {
              code: original.code,
              source: original.sourceName,
              message: original.message,
              path: at,
              cause: causeOf(original),
              status: original.httpStatus,
            });
          else logger.debug('field error', { code: original.code, source: original.sourceName, path: at });
        }
      },
    }),
  };
}

/** The failure's cause; a refusal by the open circuit breaker says so, since no call was made. */
function causeOf(error: SourceError): string | undefined {
  if (error.failureCause !== undefined) return error.failureCause;
  return error.extensions.circuit === undefined ? undefined : 'circuit_open';
}
