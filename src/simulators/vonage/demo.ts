import type { VendorDemo } from '../types.ts';
import { startVonageSimulator, VONAGE_DEMO_API_KEY, VONAGE_DEMO_API_SECRET } from './index.ts';

/** Vonage in demo mode: the demo account's API key and secret. */
export const vonageDemo: VendorDemo = {
  start: () => startVonageSimulator({ apiKey: VONAGE_DEMO_API_KEY, apiSecret: VONAGE_DEMO_API_SECRET }),
  source: () => ({ auth: { apiKey: VONAGE_DEMO_API_KEY, apiSecret: VONAGE_DEMO_API_SECRET } }),
};
