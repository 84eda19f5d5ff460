import type { Plugin } from 'graphql-yoga';

/** Whether the gateway takes new work; set to draining when it is shutting down. */
export interface Readiness {
  draining: boolean;
}

/**
 * `GET /ready`: 200 while the gateway is configured and taking requests, 503 once it drains
 * (a load balancer then stops sending it traffic). It never calls a vendor: one sick source must
 * not take every replica out of rotation. `/health` (liveness) stays 200 while the process runs.
 */
export function useReadiness(readiness: Readiness): Plugin {
  return {
    onRequest({ url, endResponse, fetchAPI }) {
      if (url.pathname !== '/ready') return;
      const status = readiness.draining ? 503 : 200;
      endResponse(
        new fetchAPI.Response(JSON.stringify({ status: readiness.draining ? 'draining' : 'ready' }), {
          status,
          headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
        }),
      );
    },
  };
}
