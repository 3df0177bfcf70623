/**
 * Building {@link Issue}s: generated validators call these only on the
 * failure path, so a valid message never pays for a pointer or a description.
 *
 * @module
 */
import type { Issue } from "./result.ts";
import { codePointLength } from "./length.ts";

/** Strings up to this many UTF-16 units are quoted in descriptions; longer ones only have their length reported. */
const PREVIEW_LIMIT = 40;

/**
 * Describes a value for an error message without echoing long input.
 *
 * @param value Any value, typically one that failed validation.
 * @returns A short phrase such as `"the string \"ofer\""` or `"an array of 3 items"`.
 * @example
 * ```ts
 * import { describeValue } from "./issue.ts";
 * describeValue(undefined); // "nothing (missing)"
 * describeValue([1, 2]); // "an array of 2 items"
 * ```
 */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing (missing)";
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return value.length <= PREVIEW_LIMIT
        ? `the string ${JSON.stringify(value)}`
        : `a string of ${codePointLength(value)} characters`;
    case "number":
      return Number.isFinite(value) ? `the number ${value}` : `the number ${String(value)} (not JSON)`;
    case "boolean":
      return String(value);
    case "object":
      return Array.isArray(value) ? `an array of ${value.length} items` : "an object";
    default:
      return `a ${typeof value} (not JSON)`;
  }
}

/**
 * Cuts text for an error message: at most `limit` UTF-16 units, ending in
 * "…" when cut. Kept minimal (every client bundle carries it): a cut may
 * split a surrogate pair, as a pointer to a lone-surrogate key already shows one.
 *
 * @param text Any text.
 * @param limit The most UTF-16 units kept, the "…" included.
 * @returns The text, or its start and "…".
 * @example
 * ```ts
 * import { shorten } from "./issue.ts";
 * shorten("abcdef", 4); // "abc…"
 * ```
 */
export function shorten(text: string, limit: number): string {
  return text.length <= limit ? text : text.slice(0, limit - 1) + "…";
}

/**
 * Escapes one reference token of a JSON Pointer (RFC 6901 section 4).
 *
 * @param segment A property name or array index.
 * @returns The token with `~` written `~0` and `/` written `~1`.
 * @example
 * ```ts
 * import { escapePointerSegment } from "./issue.ts";
 * escapePointerSegment("a/b"); // "a~1b"
 * ```
 */
export function escapePointerSegment(segment: string): string {
  return segment.replaceAll("~", "~0").replaceAll("/", "~1");
}

/**
 * Creates the issue for a value that does not match what the schema expects.
 *
 * @param pointer JSON Pointer of the value.
 * @param expected What the schema expects there.
 * @param value The value found (`undefined` when missing).
 * @returns The issue.
 * @example
 * ```ts
 * import { issueAt } from "./issue.ts";
 * issueAt("/id", "an integer", "7").found; // "the string \"7\""
 * ```
 */
export function issueAt(pointer: string, expected: string, value: unknown): Issue {
  return { pointer, expected, found: describeValue(value) };
}

/**
 * Re-roots an issue found inside a nested value under that value's pointer.
 *
 * @param prefix JSON Pointer of the nested value, e.g. `"/sdp"` or `"/users/3"`.
 * @param inner The issue, relative to the nested value.
 * @returns The same issue, relative to the outer value.
 * @example
 * ```ts
 * import { issueAt, issueWithin } from "./issue.ts";
 * issueWithin("/sdp", issueAt("/type", "a string", 1)).pointer; // "/sdp/type"
 * ```
 */
export function issueWithin(prefix: string, inner: Issue): Issue {
  return { pointer: prefix + inner.pointer, expected: inner.expected, found: inner.found };
}

/**
 * Strict mode: finds the first own property of `object` that its schema does not name.
 *
 * @param object The object being validated.
 * @param known The property names its schema allows.
 * @returns The issue for the first unknown property, or `undefined` when there is none.
 * @example
 * ```ts
 * import { unknownPropertyIssue } from "./issue.ts";
 * unknownPropertyIssue({ type: "id", id: 1, x: 0 }, new Set(["type", "id"]))?.pointer; // "/x"
 * ```
 */
export function unknownPropertyIssue(
  object: Readonly<Record<string, unknown>>,
  known: ReadonlySet<string>,
): Issue | undefined {
  for (const key of Object.keys(object)) {
    if (!known.has(key)) {
      return issueAt("/" + escapePointerSegment(key), "no such property (strict mode)", object[key]);
    }
  }
  return undefined;
}
