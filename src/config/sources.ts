import { z } from 'zod';
import { httpUrl, integer, list, matching, strict, trimmedUrl } from '../config-fields.ts';
import { DEFAULT_TRANSPORT, type TransportSettings } from '../providers/http/index.ts';
import { PROVIDER_KINDS, PROVIDERS, findProvider, type ProviderKind } from '../providers/index.ts';
import type { SourceBase } from '../providers/types.ts';
import { type ConfigProblems, fallbackMessage } from './problems.ts';

/** One configured source: the fields every kind has, and the options its kind's definition read. */
export interface SourceConfig extends SourceBase {
  readonly kind: ProviderKind;
  /** What the kind's `read` returned; only that kind's `create` reads it. */
  readonly options: unknown;
  /** Retries, response size cap and circuit breaker settings. */
  readonly transport: TransportSettings;
}

export const DEFAULT_TIMEOUT_MS = 5000;
const NAME = /^[a-z0-9]+(-[a-z0-9]+)*$/;

/** The fields of a `sources[i]` entry every kind has, `kind` aside. */
const baseFields = {
  name: matching(NAME, 'use lowercase letters, digits and single dashes').describe(
    'Unique: lowercase letters, digits, single dashes. Shown in ids and errors.',
  ),
  url: httpUrl().describe('The vendor API base URL, http or https, no credentials in it.'),
  timeoutMs: integer(1, 600_000).optional().describe('Deadline of one upstream call, retries included. Default 5000.'),
  retries: integer(0, 2)
    .optional()
    .describe('Retries of a read after a 5xx, a refused connection or a rate limit. Default 2.'),
  maxResponseBytes: integer(1024, 1024 * 1024 * 1024)
    .optional()
    .describe('Largest vendor body accepted, after decompression. Default 16777216.'),
  circuitBreaker: strict({
    failureThreshold: integer(1, 1_000_000)
      .optional()
      .describe('Failed calls in a row that open the breaker. Default 5.'),
    openMs: integer(100, 3_600_000).optional().describe('How long it stays open before one probe call. Default 30000.'),
  }).optional(),
  rateLimit: strict({
    requestsPerSecond: integer(1, 100_000).describe('Most calls a second the gateway sends this source.'),
    burst: integer(1, 100_000).optional().describe('Calls that may go back to back. Default 1.'),
  })
    .optional()
    .describe("The source's outbound quota: every call (retries and token requests too) waits its turn. Default: off."),
  cache: strict({
    ttlMs: integer(1, 86_400_000).describe('How long a vendor read answers again from memory.'),
    historyTtlMs: integer(1, 604_800_000)
      .optional()
      .describe('How long a history point of a day before today stays cached. Default: ttlMs.'),
    maxBytes: integer(1, 4 * 1024 * 1024 * 1024)
      .optional()
      .describe('Most bytes of cached vendor bodies; least recently used go first. Default 67108864.'),
    staleIfErrorMs: integer(0, 604_800_000)
      .optional()
      .describe('How old a cached read may be and still answer, marked stale, when the vendor fails. Default 0 (off).'),
  })
    .optional()
    .describe("The source's read cache (GETs only; a write forgets the source's reads). Default: off."),
};

const kindMessage = `must be one of ${PROVIDER_KINDS.join(', ')}`;

/**
 * A `sources[i]` entry: one strict object per kind, the common fields and that kind's own
 * (`options` in providers/<vendor>/index.ts), told apart by `kind`, so the JSON Schema is a
 * discriminated union an editor completes per vendor.
 */
const kindSchema = (provider: (typeof PROVIDERS)[number]) =>
  strict({ kind: z.literal(provider.kind), ...baseFields, ...provider.options.shape });
type KindSchema = ReturnType<typeof kindSchema>;

export const sourceSchema = z.discriminatedUnion(
  'kind',
  PROVIDERS.map(kindSchema) as unknown as [KindSchema, ...KindSchema[]],
  {
    error: (issue) => {
      if (issue.code !== 'invalid_union') return issue.input === undefined ? 'required' : 'must be an object';
      const kind = (issue.input as { kind?: unknown } | undefined)?.kind;
      return kind === undefined ? 'required' : kindMessage;
    },
  },
);

export const sourcesSchema = list(sourceSchema).min(1, 'list at least one source');

/**
 * Checks across sources, on the list as written: names used twice, and the common fields of an
 * entry whose kind is unknown (its kind's fields cannot be checked, the common ones can).
 */
export function checkSources(raw: unknown, problems: ConfigProblems): void {
  if (!Array.isArray(raw)) return;
  const seen = new Set<string>();
  raw.forEach((source: unknown, index) => {
    if (typeof source !== 'object' || source === null) return;
    const { name, kind } = source as { name?: unknown; kind?: unknown };
    if (typeof name === 'string' && name !== '') {
      if (seen.has(name)) problems.add(`sources[${index}].name`, `"${name.slice(0, 60)}" is used by an earlier source`);
      seen.add(name);
    }
    if (typeof kind === 'string' && findProvider(kind) === undefined) {
      const common = z.looseObject(baseFields).safeParse(source, { error: fallbackMessage });
      if (!common.success) problems.addIssues(common.error.issues, ['sources', index]);
    }
  });
}

/** A source's settings from an entry the schema passed. */
export function readSource(entry: z.output<typeof sourceSchema>): SourceConfig {
  const provider = findProvider(entry.kind);
  if (!provider) throw new Error(`no provider of kind "${entry.kind}"`);
  const base: SourceBase = {
    name: entry.name,
    url: trimmedUrl(entry.url),
    timeoutMs: entry.timeoutMs ?? DEFAULT_TIMEOUT_MS,
  };
  const breaker = DEFAULT_TRANSPORT.circuitBreaker;
  return {
    ...base,
    kind: provider.kind,
    options: provider.read(entry, base),
    transport: {
      retries: entry.retries ?? DEFAULT_TRANSPORT.retries,
      maxResponseBytes: entry.maxResponseBytes ?? DEFAULT_TRANSPORT.maxResponseBytes,
      circuitBreaker: {
        failureThreshold: entry.circuitBreaker?.failureThreshold ?? breaker.failureThreshold,
        openMs: entry.circuitBreaker?.openMs ?? breaker.openMs,
      },
      ...(entry.cache && {
        cache: {
          ttlMs: entry.cache.ttlMs,
          historyTtlMs: entry.cache.historyTtlMs ?? entry.cache.ttlMs,
          maxBytes: entry.cache.maxBytes ?? 64 * 1024 * 1024,
          staleIfErrorMs: entry.cache.staleIfErrorMs ?? 0,
        },
      }),
      ...(entry.rateLimit && {
        rateLimit: { requestsPerSecond: entry.rateLimit.requestsPerSecond, burst: entry.rateLimit.burst ?? 1 },
      }),
    },
  };
}
