/**
 * The guard skeleton that every generated `is*` function calls.
 *
 * @module
 */
import { type DirectionCheck, isFields } from "./fields.ts";
import { nestingIssue } from "./depth.ts";

/**
 * Tells whether a value passes a generated validator. Never throws: a value
 * whose properties throw when read (a getter, a `Proxy` trap, a revoked
 * `Proxy`) is not a valid message.
 *
 * @param value Any value.
 * @param check A generated validator: a direction's or one message's.
 * @param maxDepth For a message of a recursive type: the most levels of nesting allowed
 *   (see `MAX_DEPTH`), measured before `check` runs.
 * @returns `true` when the value is a valid message.
 * @example
 * ```ts
 * import { guardWith } from "./guard.ts";
 * guardWith({ type: "ping" }, () => undefined); // true
 * guardWith([], () => undefined); // false
 * ```
 */
export function guardWith(value: unknown, check: DirectionCheck, maxDepth?: number): boolean {
  try {
    return isFields(value) && (maxDepth === undefined || nestingIssue(value, maxDepth) === undefined) &&
      check(value, false) === undefined;
  } catch {
    return false;
  }
}
