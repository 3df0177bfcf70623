/**
 * Whether an enum or const value is accepted by a typed shape: a literal that
 * becomes its type (`"a" | "b"` to `string`) loses nothing only when every
 * old value fits the new type's bounds.
 *
 * @module
 */
import type { Literal, Shape } from "../model.ts";

/**
 * Whether a scalar is valid under a shape (references already followed; a union checks its members, unresolved
 * references inside it count as not accepting).
 *
 * @param value The literal.
 * @param shape The shape.
 * @returns Whether a receiver of that shape accepts the value.
 * @example
 * ```ts
 * import { literalFits } from "./literal_fits.ts";
 * literalFits("abc", { kind: "string", maxLength: 2 }); // false
 * literalFits(3, { kind: "number", integer: true, minimum: 0 }); // true
 * ```
 */
export function literalFits(value: Literal, shape: Shape): boolean {
  switch (shape.kind) {
    case "any":
      return true;
    case "literal":
      return shape.values.some((v) => Object.is(v, value) || v === value);
    case "null":
      return value === null;
    case "boolean":
      return typeof value === "boolean";
    case "string": {
      if (typeof value !== "string") return false;
      const length = [...value].length;
      if (length < (shape.minLength ?? 0) || length > (shape.maxLength ?? Infinity)) return false;
      return shape.pattern === undefined || new RegExp(shape.pattern, "u").test(value);
    }
    case "number":
      return typeof value === "number" && (!shape.integer || Number.isInteger(value)) &&
        (shape.minimum === undefined || value >= shape.minimum) &&
        (shape.maximum === undefined || value <= shape.maximum) &&
        (shape.exclusiveMinimum === undefined || value > shape.exclusiveMinimum) &&
        (shape.exclusiveMaximum === undefined || value < shape.exclusiveMaximum);
    case "union":
      return shape.members.some((member) => literalFits(value, member));
    default:
      return false;
  }
}

/**
 * The kind of typed shape a literal belongs to: `"a"` to `string`, `1` to `number`.
 *
 * @param value The literal.
 * @returns `string`, `number`, `boolean` or `null`.
 * @example
 * ```ts
 * import { literalKind } from "./literal_fits.ts";
 * literalKind(null); // "null"
 * ```
 */
export function literalKind(value: Literal): "string" | "number" | "boolean" | "null" {
  return value === null ? "null" : typeof value as "string" | "number" | "boolean";
}
