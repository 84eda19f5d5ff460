import { describe, expect, it } from 'vitest';
import { resolvers } from '../src/resolvers/index.ts';

// A resolver that only returns its parent's property of the same name does what the default
// resolver does, but under compiled execution it costs a resolve info and three closures per call
// (src/resolvers/index.ts). Each resolver is called with a parent that holds a marker under the
// field's name and nothing else, then with an empty parent: one that answers the marker, then
// undefined, is such a resolver (one that falls back to a read of its own, such as
// `Account.balances`, fails on the empty parent without a context).
const MARKER = Symbol('the parent property');

async function answerOf(resolve: (...args: unknown[]) => unknown, parent: object): Promise<unknown> {
  try {
    const answer = resolve(parent, {}, {}, {});
    if (!(answer instanceof Promise)) return answer;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise((settle) => {
      timer = setTimeout(settle, 200, 'no answer in time');
    });
    return await Promise.race([answer.catch((error: unknown) => error), late]).finally(() => clearTimeout(timer));
  } catch (error) {
    return error; // a resolver that needs its context or arguments does more than read a property
  }
}

describe('resolvers', () => {
  it('have none that only reads the parent property of its own name', async () => {
    const copies: string[] = [];
    let checked = 0;
    for (const [type, fields] of Object.entries(resolvers)) {
      for (const [field, resolve] of Object.entries(fields ?? {})) {
        if (field.startsWith('__') || typeof resolve !== 'function') continue;
        checked += 1;
        if ((await answerOf(resolve, { [field]: MARKER })) !== MARKER) continue;
        if ((await answerOf(resolve, {})) === undefined) copies.push(`${type}.${field}`);
      }
    }
    expect(checked).toBeGreaterThan(20);
    expect(copies).toEqual([]);
  });
});
