/**
 * Reconnection delays: exponential backoff with full jitter, capped.
 *
 * @module
 */

/** How the delay before each reconnection attempt grows. */
export interface BackoffSettings {
  /** The cap before jitter of the first attempt, in milliseconds. */
  readonly minDelay: number;
  /** The largest delay, in milliseconds. */
  readonly maxDelay: number;
  /** How much the cap grows per attempt. */
  readonly factor: number;
  /** A source of numbers in [0, 1). */
  readonly random: () => number;
}

/**
 * The delay before a reconnection attempt: a uniformly random time below
 * `min(maxDelay, minDelay * factor ** attempt)` ("full jitter"), so clients
 * that lost the same server do not all come back at the same moment.
 *
 * @param attempt How many attempts failed in a row before this one (0 for the first).
 * @param settings The backoff settings.
 * @returns The delay, in whole milliseconds.
 * @example
 * ```ts
 * import { backoffDelay } from "./backoff.ts";
 * backoffDelay(3, { minDelay: 500, maxDelay: 30_000, factor: 2, random: () => 0.5 }); // 2000
 * ```
 */
export function backoffDelay(attempt: number, settings: BackoffSettings): number {
  const cap = Math.min(settings.maxDelay, settings.minDelay * settings.factor ** attempt);
  return Math.floor(settings.random() * cap);
}
