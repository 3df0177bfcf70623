/**
 * Reconnection delays: exponential backoff with full jitter, capped.
 *
 * @module
 */

/** How the delay before each reconnection attempt grows; every setting has a default. */
export interface BackoffSettings {
  /** The cap before jitter of the first attempt, in milliseconds. @default 500 */
  readonly minDelay?: number;
  /** The largest delay, in milliseconds. @default 30000 */
  readonly maxDelay?: number;
  /** How much the cap grows per attempt. @default 2 */
  readonly factor?: number;
  /** A source of numbers in [0, 1). @default Math.random */
  readonly random?: () => number;
}

/**
 * The delay before a reconnection attempt: a uniformly random time below
 * `min(maxDelay, minDelay * factor ** attempt)` ("full jitter"), so clients
 * that lost the same server do not all come back at the same moment.
 *
 * @param attempt How many attempts failed in a row before this one (0 for the first).
 * @param settings The backoff settings; defaults fill in what is missing.
 * @returns The delay, in whole milliseconds.
 * @example
 * ```ts
 * import { backoffDelay } from "./backoff.ts";
 * backoffDelay(3, { minDelay: 500, maxDelay: 30_000, factor: 2, random: () => 0.5 }); // 2000
 * ```
 */
export function backoffDelay(attempt: number, settings: BackoffSettings): number {
  const cap = Math.min(settings.maxDelay ?? 30_000, (settings.minDelay ?? 500) * (settings.factor ?? 2) ** attempt);
  return Math.floor((settings.random ?? Math.random)() * cap);
}
