import { freezeShared } from '../relay/page-identities.ts';

/**
 * A vendor record's mappings, each run once. A record belongs to a body that is parsed once per
 * response (read-once.ts), and a GET's response is shared by every request that joined its call or
 * that the read cache answered, so a model mapped from it can be shared the same way, instead of
 * being built again for each request on the paths that look records up by id (a by-id page of 50
 * accounts mapped 50 records per request). A POST's response is its request's alone: there the
 * mappings serve that request only. The mappings are kept as a hidden own property of the record,
 * not as WeakMap entries (read-freshness.ts says why).
 *
 * `map` may depend on nothing but the record, `as` and the connector's own settings; its result is
 * shared between requests, so it is frozen and nobody may change it. A mapping that throws is not
 * kept: the next reader maps again and fails the same way.
 */
const MAPPINGS = Symbol('mappings');
type Mapped = { [MAPPINGS]?: Map<string, unknown> };

export function mapRecordOnce<T>(record: object, as: string, map: () => T): T {
  let own = (record as Mapped)[MAPPINGS];
  if (own === undefined) {
    // A record that cannot hold its mappings (frozen) is mapped each time.
    if (!Object.isExtensible(record)) return map();
    own = new Map();
    Object.defineProperty(record, MAPPINGS, { value: own });
  }
  if (own.has(as)) return own.get(as) as T;
  const mapped = map();
  own.set(as, typeof mapped === 'object' && mapped !== null ? freezeShared(mapped) : mapped);
  return mapped;
}
