import { PROVIDER_KINDS, type ProviderKind } from '../providers/index.ts';
import { blnkDemo } from './blnk/demo.ts';
import { formanceDemo } from './formance/demo.ts';
import { ledgerEnterpriseDemo } from './ledger-enterprise/demo.ts';
import { midazDemo } from './midaz/demo.ts';
import type { SimulatorHandle, VendorDemo } from './types.ts';
import { vonageDemo } from './vonage/demo.ts';

/** Every vendor kind's demo: a kind left out does not compile. */
const VENDOR_DEMOS: Readonly<Record<ProviderKind, VendorDemo>> = {
  formance: formanceDemo,
  'ledger-enterprise': ledgerEnterpriseDemo,
  midaz: midazDemo,
  blnk: blnkDemo,
  vonage: vonageDemo,
};

export type DemoVendor = ProviderKind;
/** The vendors the demo runs, in the order its sources appear: the provider registry's. */
export const DEMO_VENDORS: readonly DemoVendor[] = PROVIDER_KINDS;

/** The built-in vendors of demo mode: each simulator on its own 127.0.0.1 port, and the config that reaches them. */
export interface DemoSources {
  /** `sources` entries of a configuration file, in the order the demo shows them. */
  readonly sources: ReadonlyArray<Record<string, unknown>>;
  /** Each vendor's simulator; the source reaching it is named `<vendor>-demo`. */
  readonly simulators: Readonly<Record<DemoVendor, SimulatorHandle>>;
  close(): Promise<void>;
}

export async function startDemoSources(): Promise<DemoSources> {
  const started = await Promise.all(
    DEMO_VENDORS.map(async (vendor) => [vendor, await VENDOR_DEMOS[vendor].start()] as const),
  );
  const simulators = Object.fromEntries(started) as Record<DemoVendor, SimulatorHandle>;
  return {
    sources: started.map(([vendor, simulator]) => ({
      name: `${vendor}-demo`,
      kind: vendor,
      url: simulator.url,
      ...VENDOR_DEMOS[vendor].source(),
    })),
    simulators,
    close: async () => {
      await Promise.all(Object.values(simulators).map((simulator) => simulator.close()));
    },
  };
}
