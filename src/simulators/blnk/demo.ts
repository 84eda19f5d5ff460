import type { VendorDemo } from '../types.ts';
import { BLNK_DEMO_API_KEY, BLNK_DEMO_CURRENCY_SCALES, startBlnkSimulator } from './index.ts';

/** Blnk in demo mode: secure mode with the demo's master key, and the scales of the seeded currencies. */
export const blnkDemo: VendorDemo = {
  start: () => startBlnkSimulator({ apiKey: BLNK_DEMO_API_KEY }),
  source: () => ({ auth: { apiKey: BLNK_DEMO_API_KEY }, currencyScales: { ...BLNK_DEMO_CURRENCY_SCALES } }),
};
