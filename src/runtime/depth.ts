/**
 * The nesting bound of recursive types. A generated validator calls itself
 * for a type that contains itself (a tree's `children: Node[]`), so a deep
 * enough message would overflow the call stack; messages of such types are
 * measured first, without recursion, and refused past {@link MAX_DEPTH}.
 * Protocols without a recursive type never call this.
 *
 * @module
 */
import type { Issue } from "./result.ts";
import { describeValue, escapePointerSegment } from "./issue.ts";

/**
 * The most levels of nesting a message of a recursive type may have: the
 * message object is level 1, each object or array inside it one level more.
 * Validating 256 levels takes a few hundred stack frames, far below what
 * Deno, Bun and browsers allow.
 */
export const MAX_DEPTH = 256;

/**
 * Measures how deeply a message nests objects and arrays, with an explicit
 * stack instead of recursion, stopping at the first value past `maxDepth`.
 * Every property counts, whether the schema names it or not. Depth first, so
 * an object graph with a cycle (when encoding) is refused as soon as the walk
 * down the cycle passes `maxDepth`, never looped over.
 *
 * @param message The message object (level 1).
 * @param maxDepth The deepest level allowed.
 * @returns The issue at the first object or array nested deeper, or `undefined`.
 * @example
 * ```ts
 * import { nestingIssue } from "./depth.ts";
 * nestingIssue({ a: [{ b: [] }] }, 3)?.pointer; // "/a/0/b"
 * nestingIssue({ a: [{ b: [] }] }, 4); // undefined
 * ```
 */
export function nestingIssue(message: object, maxDepth: number): Issue | undefined {
  // One entry per open container: the container, its values (an array is its own), the next position.
  // Object.values reads an object's properties in one call, faster on V8 than a keyed read per key.
  const containers: object[] = [message];
  const values: unknown[][] = [valuesOf(message)];
  const positions: number[] = [0];
  for (let top = 0; top >= 0;) {
    const items = values[top] as unknown[];
    const position = positions[top] as number;
    if (position >= items.length) {
      top--;
      continue;
    }
    positions[top] = position + 1;
    const child = items[position];
    if (typeof child !== "object" || child === null) continue;
    if (top + 2 > maxDepth) {
      const expected = `at most ${maxDepth} levels of nesting`;
      return { pointer: pointerOf(containers, positions, top), expected, found: describeValue(child) };
    }
    top++;
    containers[top] = child;
    values[top] = valuesOf(child);
    positions[top] = 0;
  }
  return undefined;
}

function valuesOf(container: object): unknown[] {
  return Array.isArray(container) ? container : Object.values(container);
}

/**
 * The JSON Pointer of the child each open container is at (its position was
 * advanced past it); only on failure, so keys are listed only then, in the
 * order `Object.values` gave the values.
 */
function pointerOf(containers: readonly object[], positions: readonly number[], top: number): string {
  let pointer = "";
  for (let level = 0; level <= top; level++) {
    const at = (positions[level] as number) - 1;
    const container = containers[level] as object;
    pointer += "/" +
      (Array.isArray(container) ? String(at) : escapePointerSegment(Object.keys(container)[at] as string));
  }
  return pointer;
}
