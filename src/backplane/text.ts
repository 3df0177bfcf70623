/**
 * Small pieces every engine uses: ordering positions made of digits, and
 * saying what went wrong in messages.
 *
 * @module
 */

/**
 * Orders two decimal numbers without leading zeros, of any length (no `BigInt`, no precision lost).
 *
 * @returns Negative when `a` is smaller, 0 when equal, positive when larger.
 * @example
 * ```ts
 * import { compareDigits } from "./text.ts";
 * console.log(compareDigits("9", "10") < 0); // true
 * ```
 */
export function compareDigits(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * A string a peer chose (a position, a prefix), quoted and cut short for messages.
 *
 * @example
 * ```ts
 * import { quote } from "./text.ts";
 * console.log(quote("x".repeat(100)).length); // 45
 * ```
 */
export function quote(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}...` : text);
}

/**
 * What an engine's client threw, as text.
 *
 * @example
 * ```ts
 * import { messageOf } from "./text.ts";
 * console.log(messageOf(new Error("timeout"))); // "timeout"
 * ```
 */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
