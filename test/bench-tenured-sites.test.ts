import { execFileSync, spawn } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cpuOf } from '../bench/side-by-side.ts';
import { kindOf, nameTenuredSites, printedObject, propertyNames, tenuredAddresses } from '../bench/tenured-sites.ts';

describe('bench/tenured-sites.ts: reading what V8 and gdb print', () => {
  it("takes each site the process decided to tenure, once, and no other process's", () => {
    const trace = [
      '[7:0x1] pretenuring: AllocationSite(0xabc1): (created, found, ratio) (100, 100, 1.000000) undecided => maybe tenure',
      '[7:0x1] pretenuring: AllocationSite(0xabc1): (created, found, ratio) (100, 99, 0.990000) maybe tenure => tenure',
      '[7:0x1] pretenuring: AllocationSite(0xabc1): (created, found, ratio) (100, 99, 0.990000) tenure => tenure',
      '[8:0x1] pretenuring: AllocationSite(0xdef1): (created, found, ratio) (100, 99, 0.990000) maybe tenure => tenure',
      '[7:0x1] pretenuring: AllocationSite(0x1231): (created, found, ratio) (100, 10, 0.100000) undecided => dont tenure',
      '[7:0x1] pretenuring: AllocationSite(0x4561): (created, found, ratio) (120, 110, 0.916667) undecided => tenure',
    ].join('\n');
    expect(tenuredAddresses(trace, 7)).toEqual(['0xabc1', '0x4561']);
    expect(tenuredAddresses(trace, 8)).toEqual(['0xdef1']);
    expect(tenuredAddresses(trace, 9)).toEqual([]);
  });

  it('finds the last print of an object, whether its address is written with leading zeros or not', () => {
    const output = [
      '0xabc1: [AllocationSite]',
      ' - transition_info: Object literal with boilerplate 0x0abc9 <Object map = 0x1>',
      '0x00def1: [WeakArrayList]',
      ' - length: 0',
      '0xabc1: [AllocationSite]',
      ' - transition_info: Array allocation with ElementsKind PACKED_ELEMENTS',
    ].join('\n');
    expect(printedObject(output, '0x0abc1')).toBe(
      '0xabc1: [AllocationSite]\n - transition_info: Array allocation with ElementsKind PACKED_ELEMENTS',
    );
    expect(printedObject(output, '0xdef1')).toBe('0x00def1: [WeakArrayList]\n - length: 0\n');
    expect(printedObject(output, '0x999')).toBeUndefined();
  });

  it("reads a literal's property names and a site's kind", () => {
    const boilerplate = [
      '0xabc9: [JS_OBJECT_TYPE]',
      ' - All own properties (excluding elements): {',
      '    0x1: [String] in OldSpace: #hasNextPage: 0x2 <true> (const data field 0), location: in-object',
      '    0x3: [String] in OldSpace: #edges: 0x4 <JSArray[0]> (const data field 1), location: in-object',
      ' }',
    ].join('\n');
    expect(propertyNames(boilerplate)).toEqual(['hasNextPage', 'edges']);
    expect(kindOf('Object literal with boilerplate 0x0abc9 <Object map = 0x1>')).toBe('object literal');
    expect(kindOf('Array literal with boilerplate 0x0abc9 <JSArray[1]>')).toBe('array literal of 1');
    expect(kindOf('Array allocation with ElementsKind PACKED_SMI_ELEMENTS')).toBe('Array call (PACKED_SMI_ELEMENTS)');
    expect(kindOf(undefined)).toBe('not printed');
  });
});

/** gdb present, and this process allowed to attach to its own children. */
function canAttach(): boolean {
  try {
    execFileSync('gdb', ['--version'], { stdio: 'ignore' });
  } catch {
    return false;
  }
  if (process.getuid?.() === 0) return true;
  try {
    return readFileSync('/proc/sys/kernel/yama/ptrace_scope', 'utf8').trim() === '0';
  } catch {
    return true;
  }
}

/** Waits until process `pid` has used no CPU time over 200 ms (bench/side-by-side.ts `cpuOf`). */
async function untilIdle(pid: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (let before = cpuOf(pid); ; ) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const now = cpuOf(pid);
    if (now === before) return;
    if (Date.now() > deadline) throw new Error(`process ${pid} did not go idle within 20 s`);
    before = now;
  }
}

describe.runIf(process.platform === 'linux' && canAttach())('bench/tenured-sites.ts on a live process', () => {
  it('names the literal V8 tenured in a process that keeps every object it makes past young GCs', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'tenured-sites-'));
    const script = join(directory, 'keeps.mjs');
    // Each object made here stays reachable for 50,000 more: V8 finds nearly all of them alive at
    // every scavenge and tenures the literal's site (once its young generation is at its maximum,
    // which a 1 MB semi-space reaches at once). SIGUSR2 stops the load and leaves the process idle,
    // as the tool asks: gdb's calls into a process caught in the middle of a GC can hang.
    writeFileSync(
      script,
      [
        'let loaded = true;',
        "process.on('SIGUSR2', () => { loaded = false; });",
        'const ring = new Array(50000);',
        'for (let i = 0; loaded; ) {',
        '  await new Promise((resolve) => setImmediate(resolve));',
        '  for (let k = 0; k < 1000; k += 1, i += 1) ring[i % ring.length] = { tenuredMarker: i, payload: [i] };',
        '}',
        'setInterval(() => ring.length, 1000);',
      ].join('\n'),
    );
    const traceFile = join(directory, 'trace.log');
    const out = openSync(traceFile, 'w');
    const child = spawn(
      process.execPath,
      // --no-memory-reducer: no GC of V8's own once the process is idle, where gdb might catch it.
      [
        '--trace-pretenuring',
        '--trace-pretenuring-statistics',
        '--no-compact',
        '--max-semi-space-size=1',
        '--no-memory-reducer',
        script,
      ],
      { stdio: ['ignore', out, 'inherit'] },
    );
    closeSync(out);
    try {
      const pid = child.pid as number;
      const deadline = Date.now() + 20_000;
      while (tenuredAddresses(readFileSync(traceFile, 'utf8'), pid).length === 0) {
        if (Date.now() > deadline) throw new Error('V8 tenured no site within 20 s');
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      process.kill(pid, 'SIGUSR2');
      await untilIdle(pid);
      const sites = nameTenuredSites(pid, traceFile);
      expect(sites).toContainEqual(
        expect.objectContaining({ kind: 'object literal', properties: ['tenuredMarker', 'payload'] }),
      );
    } finally {
      child.kill();
      rmSync(directory, { recursive: true, force: true });
    }
  }, 60_000);
});
