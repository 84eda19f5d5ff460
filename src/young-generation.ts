/**
 * Node sizes V8's heap from the memory limit it finds (a container's, a service manager's cgroup),
 * and at a limit of 512 MiB or less V8 keeps its young generation small (a semi-space of 1 MiB on
 * Node 24, 4 MiB on Node 26): a server that allocates per request then spends much of its time in
 * garbage collection (measured in a 512 MiB cgroup, README "Container": about half the answers per
 * second of a 16 MiB one, on either). The heap is sized before any of the gateway's code runs, so
 * the gateway cannot change it; it can only say so when it starts. The container image's entrypoint
 * sets the flag itself (bin/container-entrypoint.sh, whose threshold is the same 512 MiB).
 */
export const SMALL_LIMIT_BYTES = 512 * 1024 * 1024;

/**
 * The advice for an operator whose limit keeps V8's young generation small, or undefined. `limit`
 * is `process.constrainedMemory()` (0, or a huge number, without a limit); `flags` are the Node
 * options in force (NODE_OPTIONS and the command line's).
 */
export function youngGenerationAdvice(limit: number | undefined, flags: readonly string[]): string | undefined {
  if (limit === undefined || limit <= 0 || limit > SMALL_LIMIT_BYTES) return undefined;
  if (flags.some((flag) => /^--max[-_]semi[-_]space[-_]size(=|$)/.test(flag))) return undefined;
  return (
    `under this memory limit (${Math.round(limit / 1024 / 1024)} MiB) V8 keeps its young generation small ` +
    '(a semi-space of 1 MiB on Node 24, 4 MiB on Node 26), ' +
    'where the gateway answers about half as many requests per second: start Node with NODE_OPTIONS=--max-semi-space-size=16 ' +
    '(README, "Container")'
  );
}

/** The Node options this process runs under: NODE_OPTIONS, then the command line's. */
export function nodeFlags(): string[] {
  return [...(process.env.NODE_OPTIONS ?? '').split(/\s+/).filter(Boolean), ...process.execArgv];
}
