/**
 * The contract between a generated module and the runtime: JSON objects as
 * validators see them, and what a direction's validator returns.
 *
 * @module
 */
import type { Issue } from "./result.ts";

/** A JSON object as `JSON.parse` returns it. */
export type Fields = Readonly<Record<string, unknown>>;

/**
 * What a direction's validator returns for an object whose discriminator
 * names none of its messages.
 */
export const UNKNOWN_TYPE: unique symbol = Symbol("typewire.unknownType");

/**
 * A generated validator for one direction: routes by discriminator to the
 * message's validator. It returns `undefined` when the object is a valid
 * message, the first {@link Issue} when it is not, and {@link UNKNOWN_TYPE}
 * when its discriminator names no message. With `strict`, properties the
 * schema does not name are issues too; without it they are allowed and left
 * in place.
 */
export type DirectionCheck = (object: Fields, strict: boolean) => Issue | undefined | typeof UNKNOWN_TYPE;

/**
 * Tells whether a value is a plain JSON object (not `null`, not an array).
 *
 * @param value Any value.
 * @returns `true` for objects that are neither `null` nor arrays.
 * @example
 * ```ts
 * import { isFields } from "./fields.ts";
 * isFields({}); // true
 * isFields([]); // false
 * ```
 */
export function isFields(value: unknown): value is Fields {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
