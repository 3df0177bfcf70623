/**
 * The chat protocol's one rewrite of what clients say: HTML tags removed.
 *
 * @module
 */

const TAG = /<[^>]+>/g;

/**
 * Removes every `<...>` run from a chat line, as the MDN sample server does.
 *
 * @param text A chat line.
 * @returns The line without tags; `<` and `>` that form no tag stay.
 * @example
 * ```ts
 * import { stripTags } from "./strip_tags.ts";
 * stripTags("hi <b>there</b> 1 < 2"); // "hi there 1 < 2"
 * ```
 */
export function stripTags(text: string): string {
  return text.replace(TAG, "");
}
