/**
 * The encoder skeleton that every generated `encode*` function calls, and the
 * helper that generated pickers use for arrays.
 *
 * @module
 */
import type { EncodeResult } from "./result.ts";
import { invalidMessage, notObject, unknownType } from "./decode.ts";
import { type DirectionCheck, isFields, UNKNOWN_TYPE } from "./fields.ts";
import { shorten } from "./issue.ts";

/**
 * Validates a message, then writes it with `JSON.stringify`, given what the
 * direction's generated picker copies out of it: the schema's properties, in
 * schema order; others are dropped. One native pass writes the whole frame as a
 * flat string, which a socket sends without flattening it first. Never throws:
 *
 * - a message of a recursive type nested more than `MAX_DEPTH` (256) levels
 *   of objects and arrays deep (the message being level 1), or an object
 *   graph with a cycle through such a type, is an `invalid` error at the JSON
 *   Pointer where the depth ran out;
 * - a message whose properties throw when read (a getter, a `Proxy` trap, a
 *   revoked `Proxy`) is an `invalid` error at `""` saying that a property
 *   read threw, with the start of what was thrown (its `type` is `""` when
 *   the discriminator itself cannot be read); so is, as a last resort,
 *   anything else that throws while writing: a `BigInt` or a cycle in a
 *   property of any type, or one nested too deeply for Bun's `JSON.stringify`.
 *
 * Like `JSON.stringify` itself, this honours a `toJSON` method that someone
 * added to `Object.prototype` or `Array.prototype`; the picked objects are plain.
 *
 * @param message The message to encode.
 * @param key The discriminator property, e.g. `"type"`.
 * @param check The direction's generated validator.
 * @param pick The direction's generated picker; it trusts validated input.
 * @returns The text frame, or why the message was refused (nothing is written then).
 * @example
 * ```ts
 * import { encodeWith } from "./encode.ts";
 * import { UNKNOWN_TYPE } from "./fields.ts";
 * encodeWith(42, "type", () => UNKNOWN_TYPE, (m) => m); // { ok: false, error: { kind: "not-object", ... } }
 * ```
 */
export function encodeWith<M>(
  message: M,
  key: string,
  check: DirectionCheck,
  pick: (message: M) => unknown,
): EncodeResult {
  try {
    if (!isFields(message)) return { ok: false, error: notObject(message) };
    const issue = check(message, false);
    if (issue === UNKNOWN_TYPE) return { ok: false, error: unknownType(key, message[key]) };
    if (issue !== undefined) return { ok: false, error: invalidMessage(key, message[key] as string, issue) };
    return { ok: true, frame: JSON.stringify(pick(message)) as string };
  } catch (error) {
    // A getter or a Proxy trap threw (or JSON.stringify, on a property of any type). The throw does not say where:
    // the issue is at the message itself. Kept small: every client bundle carries it.
    let thrown = "?";
    let tag: unknown;
    try {
      thrown = shorten(String(error), 80);
      tag = (message as Record<string, unknown>)[key];
    } catch {
      // What could be read has been.
    }
    return {
      ok: false,
      error: invalidMessage(key, typeof tag === "string" ? tag : "", {
        pointer: "",
        expected: "readable properties",
        found: `a property read that threw ${thrown}`,
      }),
    };
  }
}

/**
 * Picks each item of a validated array with the given picker. An index loop,
 * so an array's own `map` (or a changed `Array.prototype.map`) is never called.
 *
 * @param items The validated items.
 * @param pick The picker for one item.
 * @returns A new array of the picked items.
 * @example
 * ```ts
 * import { pickList } from "./encode.ts";
 * pickList([{ k: "a", extra: 1 }], (v) => ({ k: v.k })); // [{ k: "a" }]
 * ```
 */
export function pickList<T>(items: readonly T[], pick: (item: T) => unknown): unknown[] {
  const picked: unknown[] = [];
  for (let i = 0; i < items.length; i++) picked.push(pick(items[i] as T));
  return picked;
}
