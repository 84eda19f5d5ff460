import { GatewayError } from './errors.ts';
import { currentScope } from './request-scope.ts';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** The yoga logger shape, writing one JSON object per line. */
export interface Logger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 };

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

export function createLogger(
  level: LogLevel = 'info',
  write: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Logger {
  const log =
    (at: Exclude<LogLevel, 'silent'>) =>
    (...args: unknown[]) => {
      if (ORDER[at] < ORDER[level]) return;
      const [message, ...rest] = args;
      const scope = currentScope();
      write(
        JSON.stringify({
          time: new Date().toISOString(),
          level: at,
          ...(scope === undefined ? {} : { requestId: scope.requestId }),
          ...(scope?.caller === undefined ? {} : { caller: scope.caller }),
          msg: typeof message === 'string' ? message : describe(message),
          ...(rest.length ? { details: rest.map(describe) } : {}),
        }),
      );
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
