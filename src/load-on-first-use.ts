import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/**
 * A package that only some configurations use (ioredis for `server.redis`, the OpenTelemetry SDK for
 * an OTLP endpoint, jose for JWT callers, pino-pretty for a terminal), loaded the first time the
 * returned function is called instead of when the gateway starts: a gateway that uses none of them
 * does not keep their code in memory (25 MiB of RSS for all of them; bench/PASSES.md, "Fifth pass"). Loading
 * is synchronous (`require`, which loads ES modules too on the Node versions the gateway supports),
 * so the factories that call it stay synchronous; those that run at start (the Redis connection,
 * the tracer) load their package then, when configured.
 */
export function loadOnFirstUse<T>(specifier: string): () => T {
  let loaded: T | undefined;
  return () => {
    loaded ??= require(specifier) as T;
    return loaded;
  };
}
