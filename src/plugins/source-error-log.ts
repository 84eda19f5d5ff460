import type { Plugin } from 'graphql-yoga';
import type { GatewayContext } from '../context.ts';
import { GatewayError, SourceError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/**
 * One warn line per vendor failure in a response (code, source, message and field path): yoga
 * logs only the errors it masks, and a sick vendor must show in the logs. Messages of gateway
 * errors name the source and status only, never a URL, body or credential.
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
            });
          else logger.debug('field error', { code: original.code, source: original.sourceName, path: at });
        }
      },
    }),
  };
}
