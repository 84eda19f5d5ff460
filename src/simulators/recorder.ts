import type { RecordedRequest } from './types.ts';

/** Most requests a simulator keeps; older ones are dropped so a long demo or benchmark stays bounded. */
export const MAX_RECORDED_REQUESTS = 10_000;

/** The request log every simulator keeps: the latest requests for tests, and a running count. */
export interface RequestRecorder {
  readonly requests: RecordedRequest[];
  readonly count: number;
  record(request: RecordedRequest): void;
  reset(): void;
}

export function createRequestRecorder(limit = MAX_RECORDED_REQUESTS): RequestRecorder {
  const requests: RecordedRequest[] = [];
  let count = 0;
  return {
    requests,
    get count() {
      return count;
    },
    record(request) {
      count += 1;
      requests.push(request);
      if (requests.length > limit) requests.splice(0, requests.length - limit);
    },
    reset() {
      count = 0;
      requests.length = 0;
    },
  };
}
