/**
 * What V8's young-generation GC (the scavenger) lets die young and what it keeps, for the patterns
 * a request's short-lived objects meet in the gateway and the libraries under it (issue 14; README,
 * "Eleventh pass"). Each pattern runs alone in a process of its own under `--trace-gc-nvp` for a
 * fixed time, making "requests": a key object and about 4 KB of data, of which the last 200 stay
 * reachable (the requests in flight) and the rest are dropped. It prints, per pattern, the young GCs
 * (scavenges), what each promoted to the old generation and what survived it, and the full GCs
 * (mark-compacts) the old generation's growth set off. A pattern that lets its objects die young
 * promotes next to nothing; one that keeps them promotes megabytes per scavenge.
 *
 *   node bench/young-gc.ts                 every pattern, 3 s each
 *   BENCH_SECONDS=1 node bench/young-gc.ts abort-signal weakmap
 *
 * A benchmark: it reports and asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** One request's objects: the key the pattern hangs its state on, and the data the state holds. */
interface Made {
  key: Record<string, unknown>;
  data: unknown[];
}

/** The patterns, by name: what each does with one request's objects (`slot` a recycled index). */
export const PATTERNS: Record<string, { what: string; make(made: Made, slot: number): void }> = {
  plain: { what: 'state as a property of the request object', make: ({ key, data }) => (key.state = data) },
  'abort-signal': {
    what: 'the same, and an AbortSignal per request held by it',
    make: ({ key, data }) => {
      key.state = data;
      key.signal = new AbortController().signal;
    },
  },
  'abort-signal-listener': {
    what: 'the same, the signal with an abort listener holding the data',
    make: ({ key, data }) => {
      key.state = data;
      const signal = new AbortController().signal;
      signal.addEventListener('abort', () => data);
      key.signal = signal;
    },
  },
  weakmap: {
    what: 'state in a long-lived WeakMap keyed by the request, never deleted',
    make: ({ key, data }) => weakState.set(key, data),
  },
  'weakmap-deleted': {
    what: 'the same, deleted when the request leaves the in-flight window',
    make: ({ key, data }, slot) => {
      const leaving = inFlight[slot];
      if (leaving !== undefined) weakState.delete(leaving);
      weakState.set(key, data);
    },
  },
  weakref: {
    what: 'state on the request, and a WeakRef to it while it is in flight',
    make: ({ key, data }, slot) => {
      key.state = data;
      weakRefs[slot] = new WeakRef(key);
    },
  },
  'finalization-registry': {
    what: 'state on the request, registered in a FinalizationRegistry',
    make: ({ key, data }) => {
      key.state = data;
      registry.register(key, 0);
    },
  },
  'set-keyed': {
    what: 'state on the request, the request an entry of a long-lived Set, deleted as it leaves',
    make: ({ key, data }, slot) => {
      key.state = data;
      const leaving = inFlight[slot];
      if (leaving !== undefined) keyed.delete(leaving);
      keyed.add(key);
    },
  },
  'set-keyed-severed': {
    what: 'the same, the request dropping its state as it leaves the Set',
    make: ({ key, data }, slot) => {
      key.state = data;
      const leaving = inFlight[slot];
      if (leaving !== undefined) {
        leaving.state = undefined;
        keyed.delete(leaving);
      }
      keyed.add(key);
    },
  },
  'literal-getter': {
    what: 'state reached through a getter of an object literal made per request',
    make: ({ key, data }) => {
      key.info = {
        get first() {
          return data[0];
        },
      };
    },
  },
  'class-getter': {
    what: 'the same getter on a class, the state in a private field',
    make: ({ key, data }) => {
      key.info = new FirstOf(data);
    },
  },
};

/** The getter of `class-getter`: on the prototype, shared by every instance. */
class FirstOf {
  readonly #data: unknown[];
  constructor(data: unknown[]) {
    this.#data = data;
  }
  get first(): unknown {
    return this.#data[0];
  }
}

const IN_FLIGHT = 200;
const inFlight: Array<Record<string, unknown> | undefined> = new Array(IN_FLIGHT);
const weakState = new WeakMap<object, unknown>();
const keyed = new Set<object>();
const weakRefs: Array<WeakRef<object>> = new Array(IN_FLIGHT);
const registry = new FinalizationRegistry<number>(() => {});

/**
 * The child: makes requests under `pattern` for `ms`, 100 at a time in turns of the event loop, as
 * a server does. One turn (one job) may not run long: V8 keeps every `WeakRef`'s target alive until
 * the job that made it ends, so a loop that never yields would measure that, not the GC.
 */
async function run(pattern: string, ms: number): Promise<void> {
  const make = PATTERNS[pattern]?.make;
  if (make === undefined) throw new Error(`no pattern ${pattern}; the patterns: ${Object.keys(PATTERNS).join(', ')}`);
  const end = Date.now() + ms;
  let count = 0;
  while (Date.now() < end) {
    await new Promise((resolve) => setImmediate(resolve));
    for (let batch = 0; batch < 100; batch += 1) {
      const data = Array.from({ length: 100 }, (_, index) => ({ index, name: 'x' }));
      const key: Record<string, unknown> = { count };
      const slot = count % IN_FLIGHT;
      make({ key, data }, slot);
      inFlight[slot] = key;
      count += 1;
    }
  }
}

export interface YoungGcFigures {
  scavenges: number;
  /** Mean bytes moved to the old generation per scavenge. */
  promoted: number;
  /** Mean bytes that survived each scavenge (promoted, or copied within the young generation). */
  survived: number;
  markCompacts: number;
}

/** Reads `--trace-gc-nvp` output: the scavenges after the first `skip` (heap warm-up), and the mark-compacts. */
export function youngGcFigures(trace: string, skip = 5): YoungGcFigures {
  let scavenges = 0;
  let promoted = 0;
  let survived = 0;
  let markCompacts = 0;
  let seen = 0;
  for (const line of trace.split('\n')) {
    const fields = new Map(
      line
        .split(/\s+/)
        .filter((field) => field.includes('='))
        .map((field) => field.split('=') as [string, string]),
    );
    if (fields.get('gc') === 'mc') markCompacts += 1;
    if (fields.get('gc') !== 's') continue;
    seen += 1;
    if (seen <= skip) continue;
    scavenges += 1;
    promoted += Number(fields.get('promoted') ?? 0);
    survived += Number(fields.get('new_space_survived') ?? 0);
  }
  return {
    scavenges,
    promoted: scavenges ? promoted / scavenges : 0,
    survived: scavenges ? survived / scavenges : 0,
    markCompacts,
  };
}

const [child, childPattern, childMs] = process.argv.slice(2);
if (child === '--child') await run(childPattern ?? '', Number(childMs));
else if (import.meta.main) {
  const seconds = Number(process.env.BENCH_SECONDS ?? 3);
  const chosen = process.argv.slice(2);
  const names = chosen.length > 0 ? chosen : Object.keys(PATTERNS);
  process.stdout.write(
    `young GCs per pattern: ${seconds} s each, ${IN_FLIGHT} requests in flight, about 4 KB per request, Node ${process.versions.node}\n`,
  );
  for (const name of names) {
    const trace = execFileSync(
      process.execPath,
      ['--trace-gc-nvp', fileURLToPath(import.meta.url), '--child', name, String(seconds * 1000)],
      { encoding: 'utf8', maxBuffer: 256 * 2 ** 20 },
    );
    const figures = youngGcFigures(trace);
    const MB = (bytes: number) => (bytes / 1e6).toFixed(2).padStart(6);
    process.stdout.write(
      `  ${name.padEnd(22)} ${String(figures.scavenges).padStart(5)} scavenges, promoted ${MB(figures.promoted)} MB and survived ${MB(figures.survived)} MB per scavenge, ${String(figures.markCompacts).padStart(3)} mark-compacts  (${PATTERNS[name]?.what})\n`,
    );
  }
}
