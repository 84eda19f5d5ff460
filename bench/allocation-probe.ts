/**
 * Allocation accounting inside a bench server (bench/gateway-child.ts, bench/passthrough.ts), driven
 * by bench/allocation.ts over the fork IPC channel:
 *
 * - `{ probe: 'start', profile }` starts counting (and, with `profile`, V8's sampling heap profiler,
 *   keeping the samples of objects the GC has already freed: the short-lived garbage is the point;
 *   with BENCH_PROFILE=promoted, only what survived the young GCs: the objects promoted to the old
 *   generation, freed later by a full GC or still alive, which is what grows the old generation).
 * - `{ probe: 'stop' }` answers `{ probe: 'stopped', … }`: bytes allocated on the JS heap since the
 *   start (the sum of what each GC found grown since the previous one, plus the growth since the
 *   last), the young and full GCs and their pauses, CPU time, and the profile's top allocators.
 * - `{ probe: 'snapshot' }` writes a heap snapshot after a full GC into the working directory and
 *   answers its path.
 */
import { Session } from 'node:inspector/promises';
import { GCProfiler, getHeapStatistics, setFlagsFromString, writeHeapSnapshot } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** A full GC without `--expose-gc` on the server's command line (which would change what is measured). */
function fullGc(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

interface GcEntry {
  gcType: string;
  cost: number;
  beforeGC: { heapStatistics: { usedHeapSize: number } };
  afterGC: { heapStatistics: { usedHeapSize: number } };
}
interface SampleNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: SampleNode[];
}

export interface ProbeReport {
  probe: 'stopped';
  allocatedBytes: number;
  scavenges: number;
  scavengeMs: number;
  worstScavengeMs: number;
  fullGcs: number;
  fullGcMs: number;
  cpuMs: number;
  /** The JS heap's used size after a full GC at the end: what the process really holds. */
  liveHeapBytes: number;
  /** Peaks of process.memoryUsage() sampled every 50 ms: where RSS goes (JS heap, or Buffers and native memory). */
  peak: { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
  /** Bytes sampled per allocating function (self size), biggest first; empty without `profile`. */
  top: Array<{ where: string; bytes: number }>;
}

let profiler: GCProfiler | undefined;
let session: Session | undefined;
let startUsed = 0;
let startCpu: NodeJS.CpuUsage | undefined;
let peak: ProbeReport['peak'] = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
let sampler: NodeJS.Timeout | undefined;

function sampleMemory(): void {
  const now = process.memoryUsage();
  for (const name of Object.keys(peak) as Array<keyof typeof peak>) peak[name] = Math.max(peak[name], now[name]);
}

function topAllocators(root: SampleNode, limit: number): Array<{ where: string; bytes: number }> {
  const byPlace = new Map<string, number>();
  const placeOf = ({ functionName, url, lineNumber }: SampleNode['callFrame']) =>
    `${functionName || '(anonymous)'} ${url.replace(/^.*\/(node_modules\/|src\/|bench\/)/, '$1')}:${lineNumber + 1}`;
  const walk = (node: SampleNode, caller: string) => {
    // A built-in (Map, Array.from, JSON.stringify) is named with its caller: that is the place to change.
    const own = placeOf(node.callFrame);
    const where = node.callFrame.url === '' ? `${own} < ${caller}` : own;
    if (node.selfSize > 0) byPlace.set(where, (byPlace.get(where) ?? 0) + node.selfSize);
    for (const child of node.children) walk(child, own);
  };
  walk(root, '');
  return [...byPlace]
    .sort((a, b) => b[1] - a[1])
    .slice(0, limit)
    .map(([where, bytes]) => ({ where, bytes }));
}

async function start(profile: boolean): Promise<void> {
  if (profile) {
    session = new Session();
    session.connect();
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 16_384,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: process.env.BENCH_PROFILE !== 'promoted',
    });
  }
  profiler = new GCProfiler();
  profiler.start();
  startUsed = getHeapStatistics().used_heap_size;
  startCpu = process.cpuUsage();
  peak = { rss: 0, heapTotal: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
  sampler = setInterval(sampleMemory, 50);
}

async function stop(): Promise<ProbeReport> {
  const endUsed = getHeapStatistics().used_heap_size;
  clearInterval(sampler);
  sampleMemory();
  const cpu = process.cpuUsage(startCpu);
  const entries = ((profiler?.stop() as { statistics?: GcEntry[] } | undefined)?.statistics ?? []) as GcEntry[];
  let allocated = 0;
  let previous = startUsed;
  const young = entries.filter((entry) => entry.gcType === 'Scavenge' || entry.gcType === 'MinorMarkSweep');
  const full = entries.filter((entry) => !young.includes(entry));
  for (const entry of entries) {
    allocated += Math.max(0, entry.beforeGC.heapStatistics.usedHeapSize - previous);
    previous = entry.afterGC.heapStatistics.usedHeapSize;
  }
  allocated += Math.max(0, endUsed - previous);
  let top: ProbeReport['top'] = [];
  if (session) {
    const { profile } = (await session.post('HeapProfiler.stopSampling')) as unknown as {
      profile: { head: SampleNode };
    };
    top = topAllocators(profile.head, 25);
    session.disconnect();
    session = undefined;
  }
  // After the counts: this GC is not part of the requests' cost.
  fullGc();
  const liveHeapBytes = getHeapStatistics().used_heap_size;
  // GCProfiler reports each GC's cost in microseconds.
  const ms = (list: GcEntry[]) => list.reduce((sum, entry) => sum + entry.cost, 0) / 1000;
  return {
    probe: 'stopped',
    allocatedBytes: allocated,
    scavenges: young.length,
    scavengeMs: ms(young),
    worstScavengeMs: Math.max(0, ...young.map((entry) => entry.cost / 1000)),
    fullGcs: full.length,
    fullGcMs: ms(full),
    cpuMs: (cpu.user + cpu.system) / 1000,
    liveHeapBytes,
    peak,
    top,
  };
}

/** Answers the allocation bench's probe messages on this process's IPC channel. */
export function answerAllocationProbe(): void {
  process.on('message', (message: { probe?: string; profile?: boolean }) => {
    if (message?.probe === 'start')
      void start(message.profile === true).then(() => process.send?.({ probe: 'started' }));
    if (message?.probe === 'stop') void stop().then((report) => process.send?.(report));
    // A heap snapshot after a full GC, to see what the live heap holds (open it in Chrome DevTools).
    if (message?.probe === 'snapshot') {
      fullGc();
      process.send?.({ probe: 'snapshot', path: writeHeapSnapshot() });
    }
  });
}
