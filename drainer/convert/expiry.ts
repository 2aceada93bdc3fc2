/**
 * Expiry on the target. The broker writes `header.ttl = expiration − now` (at least 1 ms) beside
 * `properties.absolute-expiry-time`; an Artemis target lets absolute-expiry-time win. A ttl is a
 * uint: a remaining time above 2^32−1 ms (≈ 49.7 days) cannot be written, and a wrapped or capped
 * value would expire the message too early — then the ttl is left out and absolute-expiry-time
 * alone carries the expiration.
 */
export const MAX_TTL = 0xffffffff;

/** header.ttl for an absolute expiration (epoch ms, > 0); null when it does not fit a uint. */
export function ttlFor(expiration: number, now: number): number | null {
  const ttl = Math.max(1, expiration - now);
  return ttl > MAX_TTL ? null : ttl;
}
