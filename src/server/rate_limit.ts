/**
 * A token bucket kept in two numbers on the connection itself (no object of
 * its own: a server holds one per connection): each connection may send
 * `perSecond` frames a second, in bursts of up to `burst`.
 *
 * @module
 */

/** What a connection keeps of its allowance. */
export interface Allowance {
  /** Frames it may still send at once. */
  tokens: number;
  /** When `tokens` was last topped up, in milliseconds. */
  refilledAt: number;
}

/**
 * Takes one token from an allowance, after topping it up for the time passed.
 *
 * @param allowance The connection's allowance; updated in place.
 * @param perSecond Frames allowed per second, sustained.
 * @param burst Frames allowed at once.
 * @param now The time, in milliseconds.
 * @returns `false` when no token is left: the frame is over the rate.
 * @example
 * ```ts
 * import { takeToken } from "./rate_limit.ts";
 * const allowance = { tokens: 2, refilledAt: 0 };
 * takeToken(allowance, 1, 2, 0); // true
 * takeToken(allowance, 1, 2, 0); // true
 * takeToken(allowance, 1, 2, 0); // false
 * takeToken(allowance, 1, 2, 1000); // true: a second has passed
 * ```
 */
export function takeToken(allowance: Allowance, perSecond: number, burst: number, now: number): boolean {
  const tokens = Math.min(burst, allowance.tokens + ((now - allowance.refilledAt) * perSecond) / 1000);
  allowance.refilledAt = now;
  if (tokens < 1) {
    allowance.tokens = tokens;
    return false;
  }
  allowance.tokens = tokens - 1;
  return true;
}
