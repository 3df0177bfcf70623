/**
 * fast-check arbitraries for valid messages, derived from the generator's
 * model of a schema, and mutations that make a valid message invalid at a
 * known JSON Pointer.
 */
import fc from "fast-check";
import type { Definition, ObjectShape, ProtocolModel, Shape } from "../../gen/model.ts";
import { recursiveDefinitions, resolveShape } from "../../gen/model.ts";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

/** Strings of any code points, lone surrogates included, within the shape's bounds. */
function stringArbitrary(shape: Shape & { kind: "string" }): fc.Arbitrary<string> {
  if (shape.pattern !== undefined) return fc.stringMatching(new RegExp(shape.pattern, "u"));
  const minLength = shape.minLength ?? 0;
  const maxLength = shape.maxLength ?? 64;
  const varied = fc.string({ unit: "binary", minLength, maxLength: Math.min(maxLength, minLength + 40) });
  const longest = fc.string({ unit: "grapheme-ascii", minLength: maxLength, maxLength });
  const astral = fc.string({
    unit: fc.constantFrom("😀", "𝄞", "\ud800", "\udfff", '"', "\\", "\n", "\u2028"),
    minLength,
    maxLength: Math.min(maxLength, minLength + 8),
  });
  // Strings at the bound are generated only for bounds small enough to keep runs fast; breakages test every bound.
  const atBound = maxLength <= 4096 ? [{ arbitrary: longest, weight: 1 }] : [];
  return fc.oneof({ arbitrary: varied, weight: 6 }, { arbitrary: astral, weight: 3 }, ...atBound);
}

function numberArbitrary(shape: Shape & { kind: "number" }): fc.Arbitrary<number> {
  const min = Math.max(
    shape.minimum ?? -Number.MAX_SAFE_INTEGER,
    shape.exclusiveMinimum === undefined ? -Infinity : shape.exclusiveMinimum + 1,
  );
  const max = Math.min(
    shape.maximum ?? Number.MAX_SAFE_INTEGER,
    shape.exclusiveMaximum === undefined ? Infinity : shape.exclusiveMaximum - 1,
  );
  if (!shape.integer) {
    return fc.double({ min, max, noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x));
  }
  const bounds = fc.constantFrom(min, max);
  const inner = min >= INT32_MIN && max <= INT32_MAX
    ? fc.integer({ min, max })
    : fc.bigInt({ min: BigInt(Math.ceil(min)), max: BigInt(Math.floor(max)) }).map(Number);
  return fc.oneof({ arbitrary: inner, weight: 9 }, { arbitrary: bounds, weight: 1 });
}

/** How many references to recursive types an arbitrary follows: past it, arrays are empty and optional properties left out. */
const RECURSION_LIMIT = 4;

/** Arrays reached through a reference to a recursive type have at most this many items, so trees stay small. */
const RECURSIVE_ITEMS = 3;

const recursiveNames = new WeakMap<ReadonlyMap<string, Definition>, ReadonlySet<string>>();

function recursive(definitions: ReadonlyMap<string, Definition>): ReadonlySet<string> {
  let names = recursiveNames.get(definitions);
  if (names === undefined) {
    names = new Set(recursiveDefinitions(definitions));
    recursiveNames.set(definitions, names);
  }
  return names;
}

/**
 * An arbitrary of values that match a shape.
 *
 * @param shape The shape.
 * @param definitions The protocol's definitions, for references.
 * @param depth How many references to recursive types lead here: deeper values are kept small and finite.
 * @returns Values that the generated validator must accept.
 */
export function arbitraryFor(
  shape: Shape,
  definitions: ReadonlyMap<string, Definition>,
  depth = 0,
): fc.Arbitrary<Json> {
  switch (shape.kind) {
    case "string":
      return stringArbitrary(shape);
    case "number":
      return numberArbitrary(shape);
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "literal":
      return fc.constantFrom(...shape.values);
    case "array": {
      const minLength = shape.minItems ?? 0;
      if (depth >= RECURSION_LIMIT && minLength === 0) return fc.constant([]);
      return fc.array(arbitraryFor(shape.items, definitions, depth), {
        minLength,
        maxLength: Math.min(shape.maxItems ?? 20, minLength + (depth > 0 ? RECURSIVE_ITEMS : 20)),
      });
    }
    case "object":
      return objectArbitrary(shape, definitions, depth);
    case "ref":
      return arbitraryFor(
        resolveShape(shape, definitions),
        definitions,
        recursive(definitions).has(shape.name) ? depth + 1 : depth,
      );
    case "union":
      return fc.oneof(...shape.members.map((m) => arbitraryFor(m, definitions, depth)));
    case "any":
      return fc.jsonValue() as fc.Arbitrary<Json>;
  }
}

function objectArbitrary(
  shape: ObjectShape,
  definitions: ReadonlyMap<string, Definition>,
  depth = 0,
): fc.Arbitrary<Json> {
  const model: Record<string, fc.Arbitrary<Json>> = {};
  for (const property of shape.properties) {
    if (depth >= RECURSION_LIMIT && !property.required) continue;
    model[property.name] = arbitraryFor(property.shape, definitions, depth);
  }
  const requiredKeys = shape.properties.filter((p) => p.required).map((p) => p.name);
  return fc.record(model, { requiredKeys, noNullPrototype: true }) as fc.Arbitrary<Json>;
}

/** One message variant of a protocol, with an arbitrary of its valid messages. */
export interface VariantArbitrary {
  readonly side: "server" | "client";
  readonly tag: string;
  readonly definition: string;
  readonly shape: ObjectShape;
  readonly valid: fc.Arbitrary<Record<string, Json>>;
}

/**
 * Arbitraries for every message of both directions of a protocol.
 *
 * @param model The protocol.
 * @returns One entry per variant of each direction.
 */
export function variantArbitraries(model: ProtocolModel): VariantArbitrary[] {
  return [model.server, model.client].flatMap((direction) =>
    direction.variants.map((variant) => {
      const shape = resolveShape({ kind: "ref", name: variant.definition }, model.definitions) as ObjectShape;
      return {
        side: direction.side,
        tag: variant.tag,
        definition: variant.definition,
        shape,
        valid: objectArbitrary(shape, model.definitions) as fc.Arbitrary<Record<string, Json>>,
      };
    })
  );
}

/** A value that breaks a shape, and why. */
export interface Breakage {
  readonly value: Json | undefined;
  readonly why: string;
}

/**
 * Values that each break a shape at its own position (not deeper): a wrong
 * JSON type, and every bound pushed one past its limit.
 *
 * @param shape The shape to break.
 * @param definitions The protocol's definitions.
 * @returns Ways to break it; `undefined` stands for "missing".
 */
export function breakages(shape: Shape, definitions: ReadonlyMap<string, Definition>): Breakage[] {
  const target = resolveShape(shape, definitions);
  const accepts = (value: Json) => acceptsType(target, value, definitions);
  const wrongTypes: Json[] = [42.5, "not-one-of-them", true, [], {}, null].filter((v) => !accepts(v)) as Json[];
  const out: Breakage[] = wrongTypes.slice(0, 2).map((value) => ({
    value,
    why: `wrong type ${JSON.stringify(value)}`,
  }));
  if (target.kind === "string") {
    if (target.maxLength !== undefined) {
      out.push({ value: "a".repeat(target.maxLength + 1), why: "one character too long" });
    }
    if (target.maxLength !== undefined) {
      out.push({ value: "😀".repeat(target.maxLength + 1), why: "one astral character too long" });
    }
    if ((target.minLength ?? 0) > 0) {
      out.push({ value: "b".repeat((target.minLength ?? 1) - 1), why: "one character too short" });
    }
  }
  if (target.kind === "number") {
    if (target.integer) out.push({ value: 1.5, why: "not an integer" });
    if (target.maximum !== undefined) {
      out.push({ value: target.maximum + (target.maximum < 2 ** 52 ? 1 : 2), why: "above maximum" });
    }
    if (target.minimum !== undefined) out.push({ value: target.minimum - 1, why: "below minimum" });
  }
  if (target.kind === "array" && target.maxItems !== undefined) {
    const item = fc.sample(arbitraryFor(target.items, definitions), { numRuns: 1, seed: 1 })[0] as Json;
    out.push({ value: Array.from({ length: target.maxItems + 1 }, () => item), why: "one item too many" });
  }
  return out;
}

/** Whether a value of this JSON type could match the shape at all (bounds aside). */
function acceptsType(shape: Shape, value: Json, definitions: ReadonlyMap<string, Definition>): boolean {
  const target = resolveShape(shape, definitions);
  switch (target.kind) {
    case "string":
      return typeof value === "string";
    case "number":
      return typeof value === "number" && (!target.integer || Number.isInteger(value));
    case "boolean":
      return typeof value === "boolean";
    case "null":
      return value === null;
    case "literal":
      return target.values.includes(value as string);
    case "array":
      return Array.isArray(value);
    case "object":
      return typeof value === "object" && value !== null && !Array.isArray(value);
    case "union":
      return target.members.some((m) => acceptsType(m, value, definitions));
    case "any":
    case "ref":
      return true;
  }
}
