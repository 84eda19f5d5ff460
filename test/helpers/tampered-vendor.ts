import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { Connector } from '../../src/providers/types.ts';
import { startTamperProxy, type TamperProxy } from './tamper-proxy.ts';

/** A simulator, a tampering proxy in front of it, and a connector that reaches it through the proxy. */
export interface TamperedVendor<S> {
  readonly simulator: S;
  readonly proxy: TamperProxy;
  readonly connector: Connector;
}

/**
 * A hostile vendor for the `*-answers` tests, set up by the suite's hooks: `start` runs the
 * simulator once, a tamper proxy forwards to it, and `connect(url, simulator)` makes the connector
 * of the proxy's `url`. Every test starts with honest answers (no tamper); all three close after the
 * suite. The fields are there from the suite's first test on.
 */
export function withTamperedVendor<S extends { readonly url: string; close(): Promise<void> }>(
  start: () => Promise<S>,
  connect: (url: string, simulator: S) => Connector,
): TamperedVendor<S> {
  const vendor = {} as { simulator: S; proxy: TamperProxy; connector: Connector };
  beforeAll(async () => {
    vendor.simulator = await start();
    vendor.proxy = await startTamperProxy(vendor.simulator.url);
    vendor.connector = connect(vendor.proxy.url, vendor.simulator);
  });
  afterAll(async () => {
    await vendor.connector?.close();
    await vendor.proxy?.close();
    await vendor.simulator?.close();
  });
  beforeEach(() => {
    if (vendor.proxy) vendor.proxy.tamper = null;
  });
  return vendor;
}
