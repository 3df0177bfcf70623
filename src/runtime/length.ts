/**
 * String length as JSON Schema counts it: in Unicode code points, so a
 * surrogate pair is one character and a lone surrogate is one too.
 *
 * @module
 */

/**
 * Counts the code points of a string.
 *
 * @param text Any string, well-formed or not.
 * @returns The number of code points (a lone surrogate counts as one).
 * @example
 * ```ts
 * import { codePointLength } from "./length.ts";
 * codePointLength("a😀"); // 2
 * ```
 */
export function codePointLength(text: string): number {
  let count = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        count--;
        i++;
      }
    }
  }
  return count;
}

/**
 * Tells whether a string's length in code points lies outside `[min, max]`.
 * Counts code points only when the UTF-16 length cannot decide, so a typical
 * string costs two comparisons and a 10 MB one is refused without a scan.
 *
 * @param text The string to measure.
 * @param min The least length allowed.
 * @param max The greatest length allowed (`Infinity` for no bound).
 * @returns `true` when the length is out of bounds.
 * @example
 * ```ts
 * import { lengthOutside } from "./length.ts";
 * lengthOutside("", 1, 64); // true
 * lengthOutside("ada", 1, 64); // false
 * ```
 */
export function lengthOutside(text: string, min: number, max: number): boolean {
  const units = text.length;
  // A string of n UTF-16 units holds between n/2 and n code points.
  if (units < min || units > 2 * max) return true;
  if (units <= max && units >= 2 * min) return false;
  const points = codePointLength(text);
  return points < min || points > max;
}
