/**
 * Vendor ids in URL paths. An id travels as one percent-encoded segment (`GET /balances/{id}`), but
 * `encodeURIComponent` leaves dots alone: the ids `.` and `..` would go out as dot segments, which
 * URL parsers, proxies and vendor routers resolve (`GET /balances/..` is `GET /`), so a caller
 * could steer the gateway's call to another endpoint. No vendor generates such an id, so a
 * connector treats one as naming nothing: NOT_FOUND, without a call.
 */

/** `.` or `..`, also spelled with `%2e` (RFC 3986 §6.2.2.2: a dot is unreserved, so `%2E` is a dot). */
const DOT_SEGMENT = /^(?:\.|%2e){1,2}$/i;
/** How many rounds of percent-decoding an id is checked through (a proxy that decodes once more). */
const DECODE_ROUNDS = 3;

/** Whether a path segment is, or percent-decodes within a few rounds to, `.` or `..`. */
export function isDotSegment(segment: string): boolean {
  let text = segment;
  for (let round = 0; round <= DECODE_ROUNDS; round += 1) {
    if (DOT_SEGMENT.test(text)) return true;
    let decoded: string;
    try {
      decoded = decodeURIComponent(text);
    } catch {
      return false; // not decodable any further: plain text
    }
    if (decoded === text) return false;
    text = decoded;
  }
  return false;
}

/** An id as one encoded path segment, or null for an id that would be (or decode to) a dot segment. */
export function pathSegment(id: string): string | null {
  return isDotSegment(id) ? null : encodeURIComponent(id);
}
