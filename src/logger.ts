import pino, { type DestinationStream } from 'pino';
import { GatewayError } from './errors.ts';
import { currentScope } from './request-scope.ts';
import { loadOnFirstUse } from './load-on-first-use.ts';

// Only when stderr is a terminal.
const pinoPretty = loadOnFirstUse<typeof import('pino-pretty')>('pino-pretty');

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** Every level `--log-level` takes, most verbose first. */
export const LOG_LEVELS: readonly LogLevel[] = ['debug', 'info', 'warn', 'error', 'silent'];

/**
 * The yoga logger shape: a message, then objects whose fields go flat at the top level of the
 * line (each value passed through `describe` first).
 */
export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

/** Where lines go: a pino destination stream, or a function given each JSON line without its newline. */
export type LogDestination = DestinationStream | ((line: string) => void);

/**
 * Field names that may hold a credential, censored at the top level of a line and under the
 * objects that could carry one. Belt and braces: no call site logs such a field, and `describe`
 * drops error messages that could quote one. Explicit paths only: pino's `*.field` wildcards cost
 * about ten times a whole line.
 */
const REDACTED_FIELDS = [
  'authorization',
  'proxy-authorization',
  'cookie',
  'set-cookie',
  'x-api-key',
  'apiKey',
  'apiSecret',
  'clientSecret',
  'client_secret',
  'secret',
  'password',
  'token',
  'accessToken',
  'access_token',
  'bearer',
  'credentials',
];
const REDACTED_UNDER = ['', 'headers', 'auth', 'credentials', 'options', 'config'];
const REDACT_PATHS = REDACTED_UNDER.flatMap((parent) =>
  REDACTED_FIELDS.map((field) => {
    const key = /^[A-Za-z_$][\w$]*$/.test(field) ? field : `["${field}"]`;
    if (parent === '') return key;
    return key.startsWith('[') ? `${parent}${key}` : `${parent}.${key}`;
  }),
);

/**
 * Describes a value for a log line without leaking: gateway errors keep their message (built to
 * name only the source and status); any other error keeps its name and stack frames but not its
 * message, which may quote a vendor URL or body.
 */
export function describe(value: unknown): unknown {
  if (value instanceof GatewayError)
    return { error: value.name, code: value.code, source: value.sourceName, message: value.message };
  if (value instanceof Error) {
    const original = (value as { originalError?: unknown }).originalError;
    if (original instanceof Error) return describe(original);
    // Frames only: a message can span lines (V8's JSON.parse quotes the text), and the message stays out.
    const frames = value.stack
      ?.split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith('at '))
      .slice(0, 5);
    return { error: value.name, stack: frames };
  }
  if (Array.isArray(value)) return value.map(describe);
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, describe(item)]));
  return typeof value === 'function' || typeof value === 'symbol' ? '[value]' : value;
}

/**
 * A pino logger behind the `Logger` shape. Lines are JSON (`level` as its name, `time` in ISO
 * 8601, `msg`), with the request's `requestId` and `caller` on every line written inside a request
 * (the request scope), and the call's fields flat beside them. `destination` defaults to stderr:
 * pino-pretty's coloured lines when stderr is a terminal, JSON lines otherwise; both write
 * synchronously so the last line before `process.exit` is not lost.
 */
export function createLogger(level: LogLevel = 'info', destination?: LogDestination): Logger {
  const base = pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      mixin: () => {
        const scope = currentScope();
        if (scope === undefined) return {};
        return scope.caller === undefined
          ? { requestId: scope.requestId }
          : { requestId: scope.requestId, caller: scope.caller };
      },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    },
    streamOf(destination),
  );
  const log =
    (at: Exclude<LogLevel, 'silent'>) =>
    (...args: unknown[]) => {
      if (!base.isLevelEnabled(at)) return;
      const [first, ...rest] = args;
      if (typeof first === 'string') base[at](fieldsOf(rest), first);
      // yoga logs an error it masks as the only argument.
      else base[at](fieldsOf(args), first instanceof Error ? 'unexpected error' : undefined);
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

/** The fields of a line: each object's described fields, flat; anything else in order under `args`. */
function fieldsOf(items: readonly unknown[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  const others: unknown[] = [];
  for (const item of items) {
    const described = describe(item);
    if (typeof described === 'object' && described !== null && !Array.isArray(described))
      Object.assign(fields, described);
    else others.push(described);
  }
  if (others.length > 0) fields.args = others;
  return fields;
}

function streamOf(destination: LogDestination | undefined): DestinationStream {
  if (typeof destination === 'function')
    return { write: (chunk: string) => destination(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk) };
  if (destination !== undefined) return destination;
  if (process.stderr.isTTY)
    return pinoPretty()({ destination: 2, sync: true, translateTime: 'SYS:HH:MM:ss.l', colorize: true });
  return pino.destination({ dest: 2, sync: true });
}
