import { startBlnkSimulator, BLNK_DEMO_API_KEY, BLNK_DEMO_CURRENCY_SCALES } from './blnk/index.ts';
import { startFormanceSimulator, FORMANCE_DEMO_CLIENT_ID, FORMANCE_DEMO_CLIENT_SECRET } from './formance/index.ts';
import {
  LEDGER_ENTERPRISE_DEMO_API_KEY,
  LEDGER_ENTERPRISE_DEMO_API_USER,
  startLedgerEnterpriseSimulator,
} from './ledger-enterprise/index.ts';
import {
  startMidazSimulator,
  MIDAZ_DEMO_ASSET_SCALES,
  MIDAZ_DEMO_ORGANIZATION_ID,
  MIDAZ_DEMO_TOKEN,
} from './midaz/index.ts';
import type { SimulatorHandle } from './types.ts';
import { startVonageSimulator, VONAGE_DEMO_API_KEY, VONAGE_DEMO_API_SECRET } from './vonage/index.ts';

/** The vendors the demo runs, in the order its sources appear. */
export const DEMO_VENDORS = ['formance', 'ledger-enterprise', 'midaz', 'blnk', 'vonage'] as const;
export type DemoVendor = (typeof DEMO_VENDORS)[number];

/** The built-in vendors of demo mode: each simulator on its own 127.0.0.1 port, and the config that reaches them. */
export interface DemoSources {
  /** `sources` entries of a configuration file, in the order the demo shows them. */
  readonly sources: ReadonlyArray<Record<string, unknown>>;
  /** Each vendor's simulator; the source reaching it is named `<vendor>-demo`. */
  readonly simulators: Readonly<Record<DemoVendor, SimulatorHandle>>;
  close(): Promise<void>;
}

export async function startDemoSources(): Promise<DemoSources> {
  const [formance, ledgerEnterprise, midaz, blnk, vonage] = await Promise.all([
    startFormanceSimulator({ clientId: FORMANCE_DEMO_CLIENT_ID, clientSecret: FORMANCE_DEMO_CLIENT_SECRET }),
    startLedgerEnterpriseSimulator({
      apiUser: LEDGER_ENTERPRISE_DEMO_API_USER,
      apiKey: LEDGER_ENTERPRISE_DEMO_API_KEY,
    }),
    startMidazSimulator({ token: MIDAZ_DEMO_TOKEN }),
    startBlnkSimulator({ apiKey: BLNK_DEMO_API_KEY }),
    startVonageSimulator({ apiKey: VONAGE_DEMO_API_KEY, apiSecret: VONAGE_DEMO_API_SECRET }),
  ]);
  // Keyed by vendor in source order: the source reaching each is `<vendor>-demo`.
  const simulators = { formance, 'ledger-enterprise': ledgerEnterprise, midaz, blnk, vonage };
  return {
    sources: [
      {
        name: 'formance-demo',
        kind: 'formance',
        url: formance.url,
        auth: { clientId: FORMANCE_DEMO_CLIENT_ID, clientSecret: FORMANCE_DEMO_CLIENT_SECRET },
      },
      {
        name: 'ledger-enterprise-demo',
        kind: 'ledger-enterprise',
        url: ledgerEnterprise.url,
        auth: { apiUser: LEDGER_ENTERPRISE_DEMO_API_USER, apiKey: LEDGER_ENTERPRISE_DEMO_API_KEY },
      },
      {
        name: 'midaz-demo',
        kind: 'midaz',
        url: midaz.url,
        organizationId: MIDAZ_DEMO_ORGANIZATION_ID,
        auth: { token: MIDAZ_DEMO_TOKEN },
        assetScales: { ...MIDAZ_DEMO_ASSET_SCALES },
      },
      {
        name: 'blnk-demo',
        kind: 'blnk',
        url: blnk.url,
        auth: { apiKey: BLNK_DEMO_API_KEY },
        currencyScales: { ...BLNK_DEMO_CURRENCY_SCALES },
      },
      {
        name: 'vonage-demo',
        kind: 'vonage',
        url: vonage.url,
        auth: { apiKey: VONAGE_DEMO_API_KEY, apiSecret: VONAGE_DEMO_API_SECRET },
      },
    ],
    simulators,
    close: async () => {
      await Promise.all(Object.values(simulators).map((simulator) => simulator.close()));
    },
  };
}
