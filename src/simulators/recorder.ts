import type { RecordedRequest } from './types.ts';

/** Most requests a simulator keeps; older ones are dropped so a long demo or benchmark stays bounded. */
export const MAX_RECORDED_REQUESTS = 10_000;

/**
 * The request log every simulator keeps: the latest requests for tests, and a running count, both
 * taken when a request is answered; and the arrivals, taken when a request reaches the server, so
 * that a call the client aborted, or one still waiting for its answer, is counted too.
 */
export interface RequestRecorder {
  readonly requests: RecordedRequest[];
  readonly count: number;
  /** Requests that reached the server. */
  readonly arrivals: number;
  /** The paths of the latest arrivals (at most the recorder's limit), in arrival order. */
  readonly arrivedPaths: string[];
  /** When each of those arrived (`performance.now()`, ms), for counting calls per time window. */
  readonly arrivalTimes: number[];
  record(request: RecordedRequest): void;
  arrive(path: string): void;
  reset(): void;
}

export function createRequestRecorder(limit = MAX_RECORDED_REQUESTS): RequestRecorder {
  const requests: RecordedRequest[] = [];
  const arrivedPaths: string[] = [];
  const arrivalTimes: number[] = [];
  let count = 0;
  let arrivals = 0;
  return {
    requests,
    arrivedPaths,
    arrivalTimes,
    get count() {
      return count;
    },
    get arrivals() {
      return arrivals;
    },
    arrive(path) {
      arrivals += 1;
      arrivedPaths.push(path);
      arrivalTimes.push(performance.now());
      if (arrivedPaths.length > limit) arrivedPaths.splice(0, arrivedPaths.length - limit);
      if (arrivalTimes.length > limit) arrivalTimes.splice(0, arrivalTimes.length - limit);
    },
    record(request) {
      count += 1;
      requests.push(request);
      if (requests.length > limit) requests.splice(0, requests.length - limit);
    },
    reset() {
      count = 0;
      requests.length = 0;
      arrivals = 0;
      arrivedPaths.length = 0;
      arrivalTimes.length = 0;
    },
  };
}

/** Most arrivals within any one second (a sliding window over the arrival times). */
export function busiestSecond(times: readonly number[]): number {
  let most = 0;
  for (let start = 0, end = 0; end < times.length; end += 1) {
    while ((times[end] as number) - (times[start] as number) >= 1000) start += 1;
    most = Math.max(most, end - start + 1);
  }
  return most;
}
