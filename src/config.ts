import { readFile } from 'node:fs/promises';
import { parseDocument, type YAMLError } from 'yaml';
import { ConfigError } from './errors.ts';
import { interpolate } from './config/interpolate.ts';
import { ConfigProblems, fallbackMessage } from './config/problems.ts';
import { gatewaySchema } from './config/schema.ts';
import { checkServer, readServer, type ServerConfig } from './config/server.ts';
import { checkSources, readSource, type SourceConfig } from './config/sources.ts';
import { readPersistedOperations } from './plugins/persisted-operations.ts';

/*
 * The configuration file: YAML (JSON is accepted, being YAML), `${NAME}` replaced from the
 * environment, validated in full at start-up against the zod schemas (config/schema.ts, which
 * `npm run config-schema` also writes out as a JSON Schema). Every problem of the file is one
 * line that names the field (`sources[1].auth.apiKey: required`) and never a value, so no secret
 * reaches a terminal or log; a ConfigError carries them all, one per line.
 */

export {
  DEFAULT_SERVER,
  type MetricsConfig,
  type ServerConfig,
  type ServerMode,
  type TelemetryConfig,
} from './config/server.ts';
export { DEFAULT_TIMEOUT_MS, type SourceConfig } from './config/sources.ts';

export interface GatewayConfig {
  readonly server: ServerConfig;
  /** In the order sources appear in merged connections. */
  readonly sources: readonly SourceConfig[];
}

/** Reads and validates a configuration file. Throws ConfigError, one line per problem. */
export async function loadConfig(path: string, env: NodeJS.ProcessEnv = process.env): Promise<GatewayConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    throw new ConfigError(`${path}: cannot read the file`);
  }
  const document = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (document.errors.length > 0)
    throw new ConfigError(document.errors.map((error) => `${path}: ${syntaxProblem(error, text)}`).join('\n'));
  let raw: unknown;
  try {
    raw = document.toJS();
  } catch (error) {
    // An alias to no anchor, or so many that expanding them would exhaust memory (yaml's maxAliasCount).
    const reason = error instanceof Error ? (error.message.split(': ')[0] ?? '') : '';
    throw new ConfigError(`${path}: not valid YAML or JSON: ${reason.slice(0, 120)}`);
  }
  return parseConfig(raw, env);
}

/**
 * The parser's reason and where, never the text there (a line may hold a secret): yaml's message
 * up to its position (`… at line 8, column 3:` and a copy of the line follow), and its code. A few
 * of its messages quote the source (`Unresolved tag: !x`, `Block scalar header includes extra
 * characters: …`): any word of the reason found in the lines it points at is left out.
 */
function syntaxProblem(error: YAMLError, text: string): string {
  const [start, end] = error.linePos ?? [];
  const where = start ? ` (line ${start.line}, column ${start.col})` : '';
  const lines = start ? text.split('\n').slice(start.line - 1, end?.line ?? start.line) : [text];
  const quoted = (word: string) => word.length > 2 && lines.some((line) => line.includes(word));
  const reason = (error.message.split(/ at line \d+/)[0] ?? '').split('\n')[0] ?? '';
  const said = reason
    .split(' ')
    .map((word) => (quoted(word) ? '…' : word))
    .join(' ');
  return `not valid YAML or JSON${where}: ${said.slice(0, 160)} [${error.code}]`;
}

/** Validates an already-parsed configuration value. Throws ConfigError, one line per problem. */
export function parseConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env): GatewayConfig {
  const { value, unset } = interpolate(raw, env);
  const problems = new ConfigProblems();
  const result = gatewaySchema.safeParse(value, { error: fallbackMessage });
  if (!result.success) problems.addIssues(result.error.issues);
  const file = (typeof value === 'object' && value !== null ? value : {}) as { server?: unknown; sources?: unknown };
  checkSources(file.sources, problems);
  const sourceNames = Array.isArray(file.sources)
    ? file.sources
        .map((source) => (source as { name?: unknown } | undefined)?.name)
        .filter((name) => typeof name === 'string')
    : [];
  checkServer(file.server, sourceNames, problems);
  const persistedOperations = readOperations(file.server, problems);
  problems.forget(new Set(unset.keys()));
  for (const [path, variable] of unset) problems.add(path, `environment variable ${variable} is not set`);
  if (problems.size > 0 || !result.success) throw new ConfigError(problems.lines().join('\n'));
  const sources = result.data.sources.map(readSource);
  return {
    server: readServer(
      result.data.server,
      sources.map((source) => source.name),
      persistedOperations,
    ),
    sources,
  };
}

/** `server.persistedOperations`: the file it names, read now so a bad one fails with the other problems. */
function readOperations(server: unknown, problems: ConfigProblems): ReadonlyMap<string, string> | null {
  const path = (server as { persistedOperations?: unknown } | undefined)?.persistedOperations;
  if (typeof path !== 'string' || path === '') return null;
  try {
    return readPersistedOperations(path, 'server.persistedOperations');
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    problems.addLine(error.message);
    return null;
  }
}
