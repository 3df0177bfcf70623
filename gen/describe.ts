/**
 * The "expected" half of an error message, written once per shape at
 * generation time so the runtime only copies a constant.
 *
 * @module
 */
import type { Definition, Shape } from "./model.ts";

/**
 * Describes what a shape accepts, for error messages.
 *
 * @param shape The shape.
 * @param definitions The protocol's definitions, to name referenced types.
 * @returns A phrase such as `"an integer from 0 to 10"`.
 * @example
 * ```ts
 * import { expectedText } from "./describe.ts";
 * expectedText({ kind: "string", minLength: 1, maxLength: 64 }, new Map()); // "a string of 1 to 64 characters"
 * ```
 */
export function expectedText(shape: Shape, definitions: ReadonlyMap<string, Definition>): string {
  switch (shape.kind) {
    case "string": {
      const length = range(shape.minLength ?? 0, shape.maxLength, "characters");
      const pattern = shape.pattern === undefined ? "" : ` matching /${shape.pattern}/`;
      return `a string${length}${pattern}`;
    }
    case "number": {
      const limits = [
        shape.minimum !== undefined && shape.maximum !== undefined
          ? `from ${shape.minimum} to ${shape.maximum}`
          : shape.minimum !== undefined
          ? `of at least ${shape.minimum}`
          : shape.maximum !== undefined
          ? `of at most ${shape.maximum}`
          : "",
        shape.exclusiveMinimum === undefined ? "" : `greater than ${shape.exclusiveMinimum}`,
        shape.exclusiveMaximum === undefined ? "" : `less than ${shape.exclusiveMaximum}`,
      ].filter(Boolean);
      return [shape.integer ? "an integer" : "a number", ...limits].join(" ");
    }
    case "boolean":
      return "true or false";
    case "null":
      return "null";
    case "literal":
      return shape.values.length === 1
        ? JSON.stringify(shape.values[0])
        : `one of ${shape.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "array":
      return `an array${range(shape.minItems ?? 0, shape.maxItems, "items")}`;
    case "object":
      return "an object";
    case "ref": {
      const target = definitions.get(shape.name);
      if (target === undefined) return shape.name;
      return target.shape.kind === "object" ? `an object (${shape.name})` : expectedText(target.shape, definitions);
    }
    case "union":
      return shape.members.map((m) => expectedText(m, definitions)).join(" or ");
    case "any":
      return "any JSON value";
  }
}

function range(min: number, max: number | undefined, unit: string): string {
  if (max === undefined) return min === 0 ? "" : ` of at least ${min} ${unit}`;
  if (min === max) return ` of exactly ${min} ${unit}`;
  return min === 0 ? ` of at most ${max} ${unit}` : ` of ${min} to ${max} ${unit}`;
}
