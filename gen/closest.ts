/**
 * The known name a misspelt one most likely meant, for messages that refuse
 * an unknown key or tag: `resmue` -> `resume`, `maxLenght` -> `maxLength`.
 *
 * @module
 */

/** The edit distance between two words (insertions, deletions, substitutions, and swaps of neighbours). */
function distance(a: string, b: string): number {
  const rows = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) (rows[0] as number[])[j] = j;
  for (let i = 1; i <= a.length; i++) {
    const row = rows[i] as number[];
    const above = rows[i - 1] as number[];
    for (let j = 1; j <= b.length; j++) {
      const same = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((above[j] as number) + 1, (row[j - 1] as number) + 1, (above[j - 1] as number) + same);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, ((rows[i - 2] as number[])[j - 2] as number) + 1);
      }
      row[j] = best;
    }
  }
  return (rows[a.length] as number[])[b.length] as number;
}

/**
 * The known name closest to `name`, when one is close enough to be a slip (a third of its letters, at least two), or
 * else the shortest one it begins (`min` for `minimum`) or ends (`version` for `protocolVersion`).
 *
 * @param name The unknown name.
 * @param known The names that exist.
 * @returns The likeliest one meant, or `undefined`.
 * @example
 * ```ts
 * import { closest } from "./closest.ts";
 * closest("resmue", ["schema", "output", "resume"]); // "resume"
 * closest("colour", ["schema", "output"]); // undefined
 * closest("version", ["schema", "protocolVersion"]); // "protocolVersion"
 * ```
 */
export function closest(name: string, known: readonly string[]): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(name.length / 3)) + 1;
  for (const candidate of known) {
    const d = distance(lower, candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  if (best !== undefined || lower.length < 3) return best;
  // A name cut short (`min` for `minimum`, `version` for `protocolVersion`): the shortest known name it begins or ends.
  return known.filter((candidate) => {
    const whole = candidate.toLowerCase();
    return whole.startsWith(lower) || whole.endsWith(lower);
  }).sort((a, b) => a.length - b.length)[0];
}

/**
 * ` (did you mean "x"?)` when a known name is close, else nothing: the tail of a message that refuses `name`.
 *
 * @example
 * ```ts
 * import { didYouMean } from "./closest.ts";
 * didYouMean("outptu", ["output"]); // ' (did you mean "output"?)'
 * ```
 */
export function didYouMean(name: string, known: readonly string[]): string {
  const guess = closest(name, known);
  return guess === undefined ? "" : ` (did you mean ${JSON.stringify(guess)}?)`;
}
