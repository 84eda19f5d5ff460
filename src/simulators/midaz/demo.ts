import type { VendorDemo } from '../types.ts';
import { MIDAZ_DEMO_ASSET_SCALES, MIDAZ_DEMO_ORGANIZATION_ID, MIDAZ_DEMO_TOKEN, startMidazSimulator } from './index.ts';

/** Midaz in demo mode: a bearer token, the seeded organization and the scales of its assets. */
export const midazDemo: VendorDemo = {
  start: () => startMidazSimulator({ token: MIDAZ_DEMO_TOKEN }),
  source: () => ({
    organizationId: MIDAZ_DEMO_ORGANIZATION_ID,
    auth: { token: MIDAZ_DEMO_TOKEN },
    assetScales: { ...MIDAZ_DEMO_ASSET_SCALES },
  }),
};
