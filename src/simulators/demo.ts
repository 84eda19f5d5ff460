import { startBlnkSimulator, BLNK_DEMO_API_KEY, BLNK_DEMO_CURRENCY_SCALES } from './blnk/index.ts';
import { startFormanceSimulator, FORMANCE_DEMO_CLIENT_ID, FORMANCE_DEMO_CLIENT_SECRET } from './formance/index.ts';
import type { SimulatorHandle } from './types.ts';

/** The built-in vendors of demo mode: each simulator on its own 127.0.0.1 port, and the config that reaches them. */
export interface DemoSources {
  /** `sources` entries of a configuration file, in the order the demo shows them. */
  readonly sources: ReadonlyArray<Record<string, unknown>>;
  readonly simulators: { readonly formance: SimulatorHandle; readonly blnk: SimulatorHandle };
  close(): Promise<void>;
}

export async function startDemoSources(): Promise<DemoSources> {
  const [formance, blnk] = await Promise.all([
    startFormanceSimulator({ clientId: FORMANCE_DEMO_CLIENT_ID, clientSecret: FORMANCE_DEMO_CLIENT_SECRET }),
    startBlnkSimulator({ apiKey: BLNK_DEMO_API_KEY }),
  ]);
  return {
    sources: [
      { name: 'formance-demo', kind: 'formance', url: formance.url, auth: { clientId: FORMANCE_DEMO_CLIENT_ID, clientSecret: FORMANCE_DEMO_CLIENT_SECRET } },
      { name: 'blnk-demo', kind: 'blnk', url: blnk.url, auth: { apiKey: BLNK_DEMO_API_KEY }, currencyScales: { ...BLNK_DEMO_CURRENCY_SCALES } },
    ],
    simulators: { formance, blnk },
    close: async () => {
      await Promise.all([formance.close(), blnk.close()]);
    },
  };
}
