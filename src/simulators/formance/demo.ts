import type { VendorDemo } from '../types.ts';
import { FORMANCE_DEMO_CLIENT_ID, FORMANCE_DEMO_CLIENT_SECRET, startFormanceSimulator } from './index.ts';

/** Formance in demo mode: the gateway is an OAuth client of the simulated auth service. */
export const formanceDemo: VendorDemo = {
  start: () => startFormanceSimulator({ clientId: FORMANCE_DEMO_CLIENT_ID, clientSecret: FORMANCE_DEMO_CLIENT_SECRET }),
  source: () => ({ auth: { clientId: FORMANCE_DEMO_CLIENT_ID, clientSecret: FORMANCE_DEMO_CLIENT_SECRET } }),
};
