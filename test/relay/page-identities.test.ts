import { describe, expect, it } from 'vitest';
import { freezeShared, identitiesOf } from '../../src/relay/page-identities.ts';

const byId = (item: { id: string }) => item.id;
const byName = (item: { name: string }) => item.name;

describe('page identities (relay/page-identities.ts)', () => {
  it('works out the keys of a shared page once per identify, and keeps them with the page', () => {
    const page = freezeShared([
      { id: 'a', name: 'x' },
      { id: 'b', name: 'x' },
    ]);
    const first = identitiesOf(page, byId);
    expect(first.keys).toEqual(['a', 'b']);
    expect([...first.set]).toEqual(['a', 'b']);
    expect(identitiesOf(page, byId)).toBe(first);
    // Another identify has keys of its own: a repeated name shows in the set, not in the keys.
    const names = identitiesOf(page, byName);
    expect(names).not.toBe(first);
    expect(names.keys).toEqual(['x', 'x']);
    expect(names.set.size).toBe(1);
    expect(identitiesOf(page, byName)).toBe(names);
  });

  it('works the keys out afresh for any other array, which may change between reads', () => {
    const items = [{ id: 'a' }];
    const before = identitiesOf(items, byId);
    items.push({ id: 'b' });
    const after = identitiesOf(items, byId);
    expect(after).not.toBe(before);
    expect(after.keys).toEqual(['a', 'b']);
    // Frozen by someone else, with no room for keys: still read each time, never wrong.
    const frozen = Object.freeze([{ id: 'c' }]);
    expect(identitiesOf(frozen, byId)).not.toBe(identitiesOf(frozen, byId));
  });

  it('freezes what it is given, and the room for keys is invisible to readers', () => {
    const page = freezeShared([{ id: 'a' }]);
    expect(Object.isFrozen(page)).toBe(true);
    expect(() => (page as Array<{ id: string }>).push({ id: 'b' })).toThrow(TypeError);
    expect(Object.keys(page)).toEqual(['0']);
    expect(JSON.stringify(page)).toBe('[{"id":"a"}]');
    expect([...page]).toEqual([{ id: 'a' }]);
    const record = freezeShared({ id: 'r' });
    expect(Object.isFrozen(record)).toBe(true);
    expect(Reflect.ownKeys(record)).toEqual(['id']);
    // Freezing twice is harmless: an already frozen array is left as it is.
    expect(freezeShared(page)).toBe(page);
  });
});
