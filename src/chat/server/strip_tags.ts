/**
 * The chat protocol's one rewrite of what clients say: HTML tags removed.
 *
 * @module
 */

/**
 * Removes every `<...>` run from a chat line, as the MDN sample server does
 * (its `/<[^>]+>/g`: a `<`, at least one character that is not `>`, then
 * the first `>`), in one pass: time linear in the line's length. The
 * regular expression is quadratic on a line of `<` with no `>`, as every
 * `<` scans to the end, so a client could make the server burn CPU within
 * its rate limit.
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
  let kept = "";
  let from = 0;
  let open = text.indexOf("<");
  while (open !== -1) {
    const close = text.indexOf(">", open + 1);
    // No `>` after this `<`: none after any later `<` either, so no tag is left.
    if (close === -1) break;
    if (close === open + 1) {
      // `<>` is no tag; the search goes on from its `>`.
      open = text.indexOf("<", close);
      continue;
    }
    kept += text.slice(from, open);
    from = close + 1;
    open = text.indexOf("<", from);
  }
  return from === 0 ? text : kept + text.slice(from);
}
