/**
 * Names the allocation sites V8 decided to tenure in a running Node process: which literal each
 * is (its property names, or an array literal, or an `Array` call) and which functions' optimized
 * code depends on it. V8 tenures a site when most of the objects made there are still alive at the
 * next young collection, so a per-request literal among them means something keeps that request's
 * objects past the young GC (bench/PASSES.md, "Twelfth pass": this found `pageInfo`'s getters).
 *
 * V8 names a site only by its address, in the lines `--trace-pretenuring-statistics` writes to
 * the process's stdout. This tool asks gdb to call `_v8_internal_Print_Object` (a debugging
 * function Node's binary keeps) in the live process for each address. The process prints the object
 * to its own stdout, so that stdout must be a file this tool can read. Start the process with:
 *
 *   node --trace-pretenuring --trace-pretenuring-statistics --no-compact server.js > trace.log
 *
 * (`--no-compact` keeps old objects where they are, so an address read from the trace stays
 * valid), put it under load, stop the load, then:
 *
 *   node bench/tenured-sites.ts <pid> trace.log
 *
 * (gdb calls into the process wherever it stopped it; in the middle of a garbage collection that
 * call can hang, so the process should be idle).
 *
 * It needs gdb and the right to attach to the process (ptrace: root, or the same user with
 * `kernel.yama.ptrace_scope` 0). Each attach stops the process for a moment. A diagnostic tool: it
 * asserts nothing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface TenuredSite {
  /** The site's address, as the trace names it. */
  readonly address: string;
  /** "object literal", "array literal of 1", "Array call (PACKED_ELEMENTS)", as V8 describes the site. */
  readonly kind: string;
  /** An object literal's property names, in order. */
  readonly properties: readonly string[];
  /** The functions whose optimized code depends on the site (none while only interpreted). */
  readonly functions: readonly string[];
}

/** The addresses of the sites the trace shows `pid` deciding to tenure, each once, in order. */
export function tenuredAddresses(trace: string, pid: number): string[] {
  const decision = new RegExp(`^\\[${pid}:[^\\]]*\\] pretenuring: AllocationSite\\((0x[0-9a-f]+)\\).*=> tenure$`, 'gm');
  return [...new Set(Array.from(trace.matchAll(decision), (match) => match[1] as string))];
}

/**
 * The last print of the object at `address` in `output`: from its header line to the next
 * object's. Addresses print with and without leading zeros, so both are compared as numbers.
 */
export function printedObject(output: string, address: string): string | undefined {
  const wanted = BigInt(address);
  const headers = Array.from(output.matchAll(/^(0x[0-9a-f]+): \[/gm));
  for (let index = headers.length - 1; index >= 0; index -= 1) {
    const header = headers[index] as RegExpExecArray;
    if (BigInt(header[1] as string) !== wanted) continue;
    const next = headers[index + 1];
    return output.slice(header.index, next?.index);
  }
  return undefined;
}

/** An object literal's property names as a boilerplate prints them (`#name: …`), `length` aside. */
export function propertyNames(boilerplate: string): string[] {
  return Array.from(boilerplate.matchAll(/ #([A-Za-z_$][\w$]*):/g), (match) => match[1] as string).filter(
    (name) => name !== 'length',
  );
}

/** A site's kind from its printed `transition_info`. */
export function kindOf(transitionInfo: string | undefined): string {
  if (transitionInfo === undefined) return 'not printed';
  if (transitionInfo.startsWith('Object literal')) return 'object literal';
  const array = /^Array literal with boilerplate 0x[0-9a-f]+ <JSArray\[(\d+)\]>/.exec(transitionInfo);
  if (array) return `array literal of ${array[1]}`;
  const call = /^Array allocation with ElementsKind (\w+)/.exec(transitionInfo);
  return call ? `Array call (${call[1]})` : transitionInfo;
}

/** Asks gdb to print each object of `addresses` in process `pid`; the prints land in its stdout. */
function printInProcess(pid: number, addresses: readonly string[]): void {
  if (addresses.length === 0) return;
  const calls = addresses.flatMap((address) => ['-ex', `call (void)_v8_internal_Print_Object((void*)${address})`]);
  try {
    execFileSync('gdb', ['-p', String(pid), '-batch', ...calls, '-ex', 'detach'], { stdio: 'ignore', timeout: 60_000 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ETIMEDOUT') throw error;
    throw new Error(
      `gdb's calls into process ${pid} did not end within 60 s; a call made in the middle of a garbage collection can hang: stop the process's load and try again`,
    );
  }
}

const field = (text: string | undefined, pattern: RegExp) => (text === undefined ? undefined : pattern.exec(text)?.[1]);

/**
 * Names every site the trace shows `pid` tenuring. Follows each site to its boilerplate (the
 * literal's shape) and to its dependent code, then from each code object through its
 * deoptimization data to the function. Five rounds of gdb in all, whatever the number of sites.
 */
export function nameTenuredSites(pid: number, traceFile: string): TenuredSite[] {
  const addresses = tenuredAddresses(readFileSync(traceFile, 'utf8'), pid);
  const output = () => readFileSync(traceFile, 'utf8');
  // Prints the objects, then reads each one's print back (waiting a little for the process's
  // output to reach the file).
  const printAll = (objects: ReadonlyArray<string | undefined>) => {
    const wanted = [...new Set(objects.filter((object): object is string => object !== undefined))];
    printInProcess(pid, wanted);
    let prints = new Map<string, string | undefined>();
    for (let attempt = 0; attempt < 20; attempt += 1) {
      const text = output();
      prints = new Map(wanted.map((address) => [address, printedObject(text, address)]));
      if ([...prints.values()].every((print) => print !== undefined)) break;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 100);
    }
    return prints;
  };
  const sites = printAll(addresses);
  const boilerplateOf = new Map(addresses.map((a) => [a, field(sites.get(a), /boilerplate (0x[0-9a-f]+)/)]));
  const dependentOf = new Map(addresses.map((a) => [a, field(sites.get(a), /dependent code: (0x[0-9a-f]+)/)]));
  const printed = printAll([...boilerplateOf.values(), ...dependentOf.values()]);
  const wrappersOf = new Map(
    addresses.map((a) => {
      const list = printed.get(dependentOf.get(a) ?? '');
      return [a, list ? Array.from(list.matchAll(/\[weak\] (0x[0-9a-f]+) <CodeWrapper>/g), (m) => m[1] as string) : []];
    }),
  );
  const wrappers = printAll([...wrappersOf.values()].flat());
  const codeOf = new Map([...wrappers].map(([w, text]) => [w, field(text, /code: (0x[0-9a-f]+) <Code/)]));
  const codes = printAll([...codeOf.values()]);
  const dataOf = new Map(
    [...codeOf].map(([w, c]) => [
      w,
      field(codes.get(c ?? ''), /deoptimization_data_or_interpreter_data: (0x[0-9a-f]+)/),
    ]),
  );
  const data = printAll([...dataOf.values()]);
  const sfiWrapperOf = new Map(
    [...dataOf].map(([w, d]) => [
      w,
      field(data.get(d ?? ''), /(0x[0-9a-f]+) <Other heap object \(SHARED_FUNCTION_INFO_WRAPPER_TYPE\)>/),
    ]),
  );
  const sfiWrappers = printAll([...sfiWrapperOf.values()]);
  const functionOf = (wrapper: string) =>
    field(sfiWrappers.get(sfiWrapperOf.get(wrapper) ?? ''), /sfi: 0x[0-9a-f]+ <SharedFunctionInfo ?([^>]*)>/);
  return addresses.map((address) => ({
    address,
    kind: kindOf(field(sites.get(address), /transition_info: (.*)/)),
    properties: propertyNames(printed.get(boilerplateOf.get(address) ?? '') ?? ''),
    functions: [...new Set((wrappersOf.get(address) ?? []).map((w) => functionOf(w) || '(anonymous)'))],
  }));
}

if (import.meta.main) {
  const [pid, traceFile] = process.argv.slice(2);
  if (!pid || !traceFile || !/^\d+$/.test(pid)) {
    process.stderr.write('usage: node bench/tenured-sites.ts <pid> <file the process writes its stdout to>\n');
    process.exit(2);
  }
  const sites = nameTenuredSites(Number(pid), traceFile);
  process.stdout.write(`${sites.length} sites tenured by process ${pid}\n`);
  for (const site of sites)
    process.stdout.write(
      `  ${site.address}  ${site.kind}${site.properties.length ? ` { ${site.properties.join(', ')} }` : ''}` +
        `${site.functions.length ? `  in ${site.functions.join(', ')}` : ''}\n`,
    );
}
