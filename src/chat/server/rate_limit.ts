/**
 * A token bucket: each connection may send `perSecond` frames a second, in
 * bursts of up to `burst`.
 *
 * @module
 */

/**
 * One connection's allowance.
 *
 * @example
 * ```ts
 * import { TokenBucket } from "./rate_limit.ts";
 * const bucket = new TokenBucket(20, 50);
 * bucket.take(); // true until 50 frames arrive faster than 20 a second
 * ```
 */
export class TokenBucket {
  #tokens: number;
  #refilledAt: number;

  /**
   * @param perSecond Frames allowed per second, sustained.
   * @param burst Frames allowed at once.
   * @param now The clock, in milliseconds.
   */
  constructor(readonly perSecond: number, readonly burst: number, private readonly now: () => number = Date.now) {
    this.#tokens = burst;
    this.#refilledAt = now();
  }

  /** Takes one token; `false` when none is left. */
  take(): boolean {
    const now = this.now();
    this.#tokens = Math.min(this.burst, this.#tokens + ((now - this.#refilledAt) * this.perSecond) / 1000);
    this.#refilledAt = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }
}
