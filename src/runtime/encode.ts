/**
 * The encoder skeleton that every generated `encode*` function calls, and the
 * JSON writing helpers that generated serializers use.
 *
 * @module
 */
import type { EncodeResult } from "./result.ts";
import { invalidMessage, notObject, unknownType } from "./decode.ts";
import { type DirectionCheck, isFields, UNKNOWN_TYPE } from "./fields.ts";
import { shorten } from "./issue.ts";

/**
 * Validates a message, then serializes it with the direction's generated
 * writer, which is specialized to each message type. Only the schema's
 * properties are written; others are dropped. Never throws:
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
 * @param message The message to encode.
 * @param key The discriminator property, e.g. `"type"`.
 * @param check The direction's generated validator.
 * @param write The direction's generated writer; it trusts validated input.
 * @returns The text frame, or why the message was refused (nothing is written then).
 * @example
 * ```ts
 * import { encodeWith } from "./encode.ts";
 * import { UNKNOWN_TYPE } from "./fields.ts";
 * encodeWith(42, "type", () => UNKNOWN_TYPE, String); // { ok: false, error: { kind: "not-object", ... } }
 * ```
 */
export function encodeWith<M>(
  message: M,
  key: string,
  check: DirectionCheck,
  write: (message: M) => string,
): EncodeResult {
  try {
    if (!isFields(message)) return { ok: false, error: notObject(message) };
    const issue = check(message, false);
    if (issue === UNKNOWN_TYPE) return { ok: false, error: unknownType(key, message[key]) };
    if (issue !== undefined) return { ok: false, error: invalidMessage(key, message[key] as string, issue) };
    return { ok: true, frame: write(message) };
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
 * Tells whether a string needs JSON escaping: a quote, a backslash, a control
 * character or a lone surrogate. Surrogate pairs need none. A plain loop: on
 * V8 and JavaScriptCore it beats a regular expression for chat-sized strings.
 */
function needsEscape(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit < 0x20 || unit === 0x22 || unit === 0x5c) return true;
    if (unit >= 0xd800 && unit <= 0xdfff) {
      if (unit >= 0xdc00) return true;
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    }
  }
  return false;
}

/**
 * Writes a string as a JSON string literal, exactly as `JSON.stringify` would
 * (lone surrogates escaped as `\uXXXX`), but without its overhead for the
 * common string that needs no escaping.
 *
 * @param text The string to write.
 * @returns The JSON literal, quotes included.
 * @example
 * ```ts
 * import { quote } from "./encode.ts";
 * quote('say "hi"'); // "\"say \\\"hi\\\"\""
 * ```
 */
export function quote(text: string): string {
  return needsEscape(text) ? JSON.stringify(text) : '"' + text + '"';
}

/**
 * Writes an array as JSON, each item with the given writer.
 *
 * @param items The validated items.
 * @param write The writer for one item.
 * @returns The JSON array.
 * @example
 * ```ts
 * import { quote, writeList } from "./encode.ts";
 * writeList(["a", "b"], quote); // "[\"a\",\"b\"]"
 * ```
 */
export function writeList<T>(items: readonly T[], write: (item: T) => string): string {
  if (items.length === 0) return "[]";
  let out = "[" + write(items[0] as T);
  for (let i = 1; i < items.length; i++) out += "," + write(items[i] as T);
  return out + "]";
}

/** The largest integer V8 and JavaScriptCore keep as a small integer, which they turn into text fastest. */
const SMALL_INTEGER = 0x3fffffff;

/** Zeros that pad the low nine digits of a large integer, by how many are missing. */
const ZEROS = ["", "0", "00", "000", "0000", "00000", "000000", "0000000", "00000000"];

/**
 * Writes an integer as JSON. A positive safe integer beyond the engines'
 * small-integer range (ids and millisecond dates are) is written as two
 * small halves, which V8 and JavaScriptCore turn into text faster than one
 * large double; every other number is written as the engine writes it.
 *
 * @param value A validated integer.
 * @returns Its JSON text, as `JSON.stringify` writes it.
 * @example
 * ```ts
 * import { writeInteger } from "./encode.ts";
 * writeInteger(1764000000123); // "1764000000123"
 * ```
 */
export function writeInteger(value: number): string {
  if (value <= SMALL_INTEGER || value > Number.MAX_SAFE_INTEGER) return "" + value;
  let high = (value / 1e9) | 0;
  let low = value - high * 1e9;
  if (low < 0) {
    // The division rounded up across a multiple of 1e9.
    high--;
    low += 1e9;
  }
  const lowText = "" + low;
  return high + (ZEROS[9 - lowText.length] as string) + lowText;
}

/**
 * Writes any validated JSON value; used for arrays of scalars, where the
 * engine's own loop is fastest, and for unions the generator does not specialize.
 *
 * @param value A validated JSON value.
 * @returns Its JSON text.
 * @example
 * ```ts
 * import { writeJson } from "./encode.ts";
 * writeJson([1, null]); // "[1,null]"
 * ```
 */
export function writeJson(value: unknown): string {
  return JSON.stringify(value);
}
