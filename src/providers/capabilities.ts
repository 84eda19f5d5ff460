import { UnsupportedBySourceError } from '../errors.ts';
import { CAPABILITIES, type Capability, type Connector } from './types.ts';

/*
 * What a source can answer is decided here and nowhere else: from the optional methods its
 * connector has. Listing and reading ledgers, accounts and balances are required methods, so every
 * source has those three capabilities; each other one follows its method.
 */

/** The optional connector method behind each capability a source may lack. */
const OPTIONAL_METHODS = {
  AGGREGATED_BALANCES: 'aggregateBalances',
  HISTORY: 'getHistory',
  TOP_UP: 'topUp',
} as const satisfies Partial<Record<Capability, keyof Connector>>;

/** A capability some sources lack. */
export type OptionalCapability = keyof typeof OPTIONAL_METHODS;

type OptionalMethod<C extends OptionalCapability> = NonNullable<Connector[(typeof OPTIONAL_METHODS)[C]]>;

/** How the error a client sees ends, per capability: `source "…" (kind) cannot …`. */
const CANNOT: Readonly<Record<OptionalCapability, string>> = {
  AGGREGATED_BALANCES: 'sum the balances of a ledger',
  HISTORY: 'tell past balances',
  TOP_UP: 'top up an account',
};

function isOptional(capability: Capability): capability is OptionalCapability {
  return Object.hasOwn(OPTIONAL_METHODS, capability);
}

function hasCapability(connector: Connector, capability: Capability): boolean {
  return !isOptional(capability) || typeof connector[OPTIONAL_METHODS[capability]] === 'function';
}

/** The capabilities `Query.sources` shows for a source. */
export function capabilitiesOf(connector: Connector): Capability[] {
  return CAPABILITIES.filter((capability) => hasCapability(connector, capability));
}

/** The UNSUPPORTED_BY_SOURCE error for asking `source` for what it cannot answer; only that field fails. */
export function unsupported(
  source: Pick<Connector, 'name' | 'kind'>,
  capability: OptionalCapability,
): UnsupportedBySourceError {
  return new UnsupportedBySourceError(`source "${source.name}" (${source.kind}) cannot ${CANNOT[capability]}`, {
    source: source.name,
  });
}

/** Throws `unsupported(connector, capability)` unless the connector has the capability. */
export function requireCapability(connector: Connector, capability: OptionalCapability): void {
  if (!hasCapability(connector, capability)) throw unsupported(connector, capability);
}

/** The connector's method for an optional capability, bound to it; throws `unsupported` when it has none. */
export function methodFor<C extends OptionalCapability>(connector: Connector, capability: C): OptionalMethod<C> {
  requireCapability(connector, capability);
  const method = connector[OPTIONAL_METHODS[capability]] as (...args: never[]) => unknown;
  return method.bind(connector) as OptionalMethod<C>;
}
