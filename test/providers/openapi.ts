import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import type { RecordedRequest } from '../../src/simulators/types.ts';

/**
 * Checks recorded requests against a vendor's own OpenAPI file: the path must match a documented
 * path template, the method must be documented there, and every query parameter must be one the
 * operation declares (or one of `extraParameters`, for server behaviour the spec omits).
 */

/** Where the vendor spec files live: `../shared/vendor-specs` beside the repo, or $VENDOR_SPECS. */
export const specsDirectory =
  process.env.VENDOR_SPECS ?? join(dirname(fileURLToPath(import.meta.url)), '../../../shared/vendor-specs');
export const specsAvailable = existsSync(specsDirectory);
// CI runs with shared/ beside the clone: there the checks must run, never be skipped quietly.
if (process.env.CI === 'true' && !specsAvailable)
  throw new Error(`CI: vendor OpenAPI files not found at ${specsDirectory} (set VENDOR_SPECS)`);

interface Operation {
  parameters?: Array<{ name?: string; in?: string; $ref?: string }>;
}

export interface SpecCheckOptions {
  /** Spec file below the specs directory (`formance/ledger-v2.4.6-openapi.yaml`). */
  file: string;
  /** A prefix the gateway adds before the spec's paths (`/api/ledger`). */
  pathPrefix?: string;
  /** Query parameters the server reads although the spec leaves them out, per spec path. */
  extraParameters?: Record<string, readonly string[]>;
  /** Recorded paths that are outside this spec (token endpoints), skipped. */
  ignorePaths?: readonly RegExp[];
}

/** Returns one message per request that the spec does not allow; empty when all conform. */
export function checkAgainstSpec(requests: readonly RecordedRequest[], options: SpecCheckOptions): string[] {
  const text = readFileSync(join(specsDirectory, options.file), 'utf8');
  const spec = (options.file.endsWith('.json') ? JSON.parse(text) : parse(text)) as {
    paths: Record<string, Record<string, Operation> & { parameters?: Operation['parameters'] }>;
    components?: { parameters?: Record<string, { name: string; in: string }> };
  };
  const resolve = (parameter: { name?: string; in?: string; $ref?: string }) =>
    parameter.$ref ? spec.components?.parameters?.[parameter.$ref.split('/').at(-1) ?? ''] : parameter;
  const templates = Object.keys(spec.paths).map((template) => ({
    template,
    pattern: new RegExp(
      `^${(options.pathPrefix ?? '') + template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{[^}]+\\?\}/g, '[^/]+')}$`,
    ),
  }));
  const problems: string[] = [];
  for (const request of requests) {
    if (options.ignorePaths?.some((pattern) => pattern.test(request.path))) continue;
    // Prefer the most literal template: `/balances/history` over `/balances/{id}`.
    const matches = templates.filter(({ pattern }) => pattern.test(request.path));
    matches.sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));
    const match = matches[0];
    if (!match) {
      problems.push(`${request.method} ${request.path}: no such path in ${options.file}`);
      continue;
    }
    const item = spec.paths[match.template] ?? {};
    const operation = item[request.method.toLowerCase()] as Operation | undefined;
    if (!operation) {
      problems.push(`${request.method} ${match.template}: method not in ${options.file}`);
      continue;
    }
    const declared = new Set(
      [...(item.parameters ?? []), ...(operation.parameters ?? [])]
        .map(resolve)
        .filter((parameter) => parameter?.in === 'query')
        .map((parameter) => parameter?.name),
    );
    for (const name of options.extraParameters?.[match.template] ?? []) declared.add(name);
    for (const name of Object.keys(request.query)) {
      if (!declared.has(name))
        problems.push(`${request.method} ${match.template}: query parameter "${name}" is not in ${options.file}`);
    }
  }
  return problems;
}
