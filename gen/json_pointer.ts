/**
 * JSON Pointer segments (RFC 6901) as schemas' references write them.
 *
 * @module
 */

/**
 * Reads one segment of a JSON Pointer back into the property name: `~1` is `/`, `~0` is `~` (in that order, so that
 * `~01` is `~1`). A reference's fragment is URI-encoded besides: decode that first.
 *
 * @param segment A segment, without its `/`.
 * @returns The property name.
 * @example
 * ```ts
 * import { unescapePointerSegment } from "./json_pointer.ts";
 * unescapePointerSegment("a~1b~0c"); // "a/b~c"
 * ```
 */
export function unescapePointerSegment(segment: string): string {
  return segment.replaceAll("~1", "/").replaceAll("~0", "~");
}
