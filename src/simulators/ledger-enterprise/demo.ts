import type { VendorDemo } from '../types.ts';
import {
  LEDGER_ENTERPRISE_DEMO_API_KEY,
  LEDGER_ENTERPRISE_DEMO_API_USER,
  startLedgerEnterpriseSimulator,
} from './index.ts';

/** Ledger Enterprise in demo mode: the demo's API user and LAM API key. */
export const ledgerEnterpriseDemo: VendorDemo = {
  start: () =>
    startLedgerEnterpriseSimulator({
      apiUser: LEDGER_ENTERPRISE_DEMO_API_USER,
      apiKey: LEDGER_ENTERPRISE_DEMO_API_KEY,
    }),
  source: () => ({ auth: { apiUser: LEDGER_ENTERPRISE_DEMO_API_USER, apiKey: LEDGER_ENTERPRISE_DEMO_API_KEY } }),
};
