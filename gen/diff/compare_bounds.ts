/**
 * The bounds of one scalar or array compared: string lengths and patterns,
 * number bounds and integrality, array lengths. A bound tightened refuses
 * what an old sender may send; loosened, what a new sender may send.
 *
 * @module
 */
import type { ArrayShape, NumberShape, StringShape } from "../model.ts";
import type { Finding } from "./finding.ts";

/** Compares a lower and an upper count (string length or array length) and reports each change. */
function compareCounts(
  unit: string,
  noun: string,
  keywords: { min: string; max: string },
  rules: { minRaised: string; minLowered: string; maxLowered: string; maxRaised: string },
  old: { min?: number | undefined; max?: number | undefined },
  next: { min?: number | undefined; max?: number | undefined },
  pointer: string,
): Finding[] {
  const findings: Finding[] = [];
  const oldMin = old.min ?? 0;
  const newMin = next.min ?? 0;
  const text = (value: number | undefined) => value === undefined ? "none" : String(value);
  const span = (from: number, to: number | undefined) =>
    to === undefined
      ? `${noun} of ${from} or more ${unit}`
      : from === to
      ? `${noun} of ${from} ${unit}`
      : `${noun} of ${from} to ${to} ${unit}`;
  if (newMin !== oldMin) {
    const raised = newMin > oldMin;
    findings.push({
      rule: raised ? rules.minRaised : rules.minLowered,
      pointer,
      detail: `${keywords.min} ${text(old.min)} -> ${text(next.min)}`,
      example: raised ? span(oldMin, newMin - 1) : span(newMin, oldMin - 1),
    });
  }
  const oldMax = old.max ?? Infinity;
  const newMax = next.max ?? Infinity;
  if (newMax !== oldMax) {
    const lowered = newMax < oldMax;
    findings.push({
      rule: lowered ? rules.maxLowered : rules.maxRaised,
      pointer,
      detail: `${keywords.max} ${text(old.max)} -> ${text(next.max)}`,
      example: lowered ? span(newMax + 1, old.max) : span(oldMax + 1, next.max),
    });
  }
  return findings;
}

/**
 * Compares two strings: length bounds (in characters) and pattern. Two different patterns count as a change both
 * ways: what they match is not compared.
 *
 * @param old The old shape.
 * @param next The new shape.
 * @param pointer Where the string is.
 * @returns What changed.
 * @example
 * ```ts
 * import { compareStrings } from "./compare_bounds.ts";
 * compareStrings({ kind: "string", maxLength: 20 }, { kind: "string", maxLength: 10 }, "/name")[0]?.rule;
 * // "max-length-lowered"
 * ```
 */
export function compareStrings(old: StringShape, next: StringShape, pointer: string): Finding[] {
  const findings = compareCounts(
    "characters",
    "a string",
    { min: "minLength", max: "maxLength" },
    {
      minRaised: "min-length-raised",
      minLowered: "min-length-lowered",
      maxLowered: "max-length-lowered",
      maxRaised: "max-length-raised",
    },
    { min: old.minLength, max: old.maxLength },
    { min: next.minLength, max: next.maxLength },
    pointer,
  );
  if (old.pattern === next.pattern) return findings;
  if (old.pattern === undefined) {
    findings.push({
      rule: "pattern-added",
      pointer,
      detail: `pattern none -> /${next.pattern}/`,
      example: `a string that does not match /${next.pattern}/`,
    });
  } else if (next.pattern === undefined) {
    findings.push({
      rule: "pattern-removed",
      pointer,
      detail: `pattern /${old.pattern}/ -> none`,
      example: `a string that does not match /${old.pattern}/`,
    });
  } else {
    findings.push({
      rule: "pattern-changed",
      pointer,
      detail: `pattern /${old.pattern}/ -> /${next.pattern}/`,
      example: "a string that matches one pattern and not the other",
    });
  }
  return findings;
}

/** A bound as a value and whether it is exclusive; integers' bounds are made inclusive. */
interface Bound {
  readonly value: number;
  readonly exclusive: boolean;
}

/** The tighter of a shape's inclusive and exclusive bound on one end. */
function boundOf(shape: NumberShape, end: "lower" | "upper"): Bound | undefined {
  const inclusive = end === "lower" ? shape.minimum : shape.maximum;
  const exclusive = end === "lower" ? shape.exclusiveMinimum : shape.exclusiveMaximum;
  const sign = end === "lower" ? 1 : -1;
  const candidates: Bound[] = [];
  if (inclusive !== undefined) {
    // For integers, a bound between two integers means the next integer inside it.
    candidates.push({
      value: shape.integer ? (end === "lower" ? Math.ceil(inclusive) : Math.floor(inclusive)) : inclusive,
      exclusive: false,
    });
  }
  if (exclusive !== undefined) {
    candidates.push(
      shape.integer
        ? { value: end === "lower" ? Math.floor(exclusive) + 1 : Math.ceil(exclusive) - 1, exclusive: false }
        : { value: exclusive, exclusive: true },
    );
  }
  // The tighter bound: further inside; at equal values, the exclusive one.
  return candidates.sort((a, b) => sign * (b.value - a.value) || Number(b.exclusive) - Number(a.exclusive))[0];
}

/** Whether bound `a` admits fewer numbers than bound `b` on its end. */
function tighter(a: Bound | undefined, b: Bound | undefined, end: "lower" | "upper"): boolean {
  if (a === undefined) return false;
  if (b === undefined) return true;
  const sign = end === "lower" ? 1 : -1;
  return sign * (a.value - b.value) > 0 || (a.value === b.value && a.exclusive && !b.exclusive);
}

/** A bound in the schema's words, e.g. `minimum 0` or `exclusiveMinimum 0`, or `none`. */
function boundText(shape: NumberShape, end: "lower" | "upper"): string {
  const words = end === "lower"
    ? [["minimum", shape.minimum], ["exclusiveMinimum", shape.exclusiveMinimum]] as const
    : [["maximum", shape.maximum], ["exclusiveMaximum", shape.exclusiveMaximum]] as const;
  const given = words.filter(([, value]) => value !== undefined).map(([word, value]) => `${word} ${value}`);
  return given.length === 0 ? "none" : given.join(", ");
}

/** `a number less than 1`, `an integer greater than 10`: what lies beyond a bound. */
function beyond(noun: string, bound: Bound, end: "lower" | "upper"): string {
  if (end === "lower") return `${noun} ${bound.exclusive ? "of at most" : "less than"} ${bound.value}`;
  return `${noun} ${bound.exclusive ? "of at least" : "greater than"} ${bound.value}`;
}

/**
 * Compares two numbers: integrality and both bounds (`minimum` and `exclusiveMinimum` together, as the tighter of
 * the two; for integers, `exclusiveMinimum: 0` is `minimum: 1`).
 *
 * @param old The old shape.
 * @param next The new shape.
 * @param pointer Where the number is.
 * @returns What changed.
 * @example
 * ```ts
 * import { compareNumbers } from "./compare_bounds.ts";
 * compareNumbers({ kind: "number", integer: true, minimum: 0 }, { kind: "number", integer: true, minimum: 1 }, "/n")
 *   .map((f) => f.rule); // ["minimum-raised"]
 * ```
 */
export function compareNumbers(old: NumberShape, next: NumberShape, pointer: string): Finding[] {
  const findings: Finding[] = [];
  if (old.integer !== next.integer) {
    findings.push({
      rule: next.integer ? "integer-required" : "integer-relaxed",
      pointer,
      detail: next.integer ? "number -> integer" : "integer -> number",
      example: "a number with a fraction",
    });
  }
  const noun = (shape: NumberShape) => shape.integer ? "an integer" : "a number";
  for (const end of ["lower", "upper"] as const) {
    const [a, b] = [boundOf(old, end), boundOf(next, end)];
    const [raisedRule, loweredRule] = end === "lower"
      ? ["minimum-raised", "minimum-lowered"]
      : ["maximum-lowered", "maximum-raised"];
    const detail = () => {
      const [from, to] = [boundText(old, end), boundText(next, end)];
      const [fromWord, fromValue] = from.split(" ");
      const [toWord, toValue] = to.split(" ");
      return fromWord === toWord && !from.includes(",") && !to.includes(",")
        ? `${fromWord} ${fromValue} -> ${toValue}`
        : `${from} -> ${to}`;
    };
    if (tighter(b, a, end)) {
      findings.push({ rule: raisedRule, pointer, detail: detail(), example: beyond(noun(old), b as Bound, end) });
    } else if (tighter(a, b, end)) {
      findings.push({ rule: loweredRule, pointer, detail: detail(), example: beyond(noun(next), a as Bound, end) });
    }
  }
  return findings;
}

/**
 * Compares the length bounds of two arrays (their items are compared by the caller).
 *
 * @param old The old shape.
 * @param next The new shape.
 * @param pointer Where the array is.
 * @returns What changed.
 * @example
 * ```ts
 * import { compareArrayLengths } from "./compare_bounds.ts";
 * const any = { kind: "any" } as const;
 * compareArrayLengths({ kind: "array", items: any }, { kind: "array", items: any, maxItems: 3 }, "/list")[0]?.rule;
 * // "max-items-lowered"
 * ```
 */
export function compareArrayLengths(old: ArrayShape, next: ArrayShape, pointer: string): Finding[] {
  return compareCounts(
    "items",
    "an array",
    { min: "minItems", max: "maxItems" },
    {
      minRaised: "min-items-raised",
      minLowered: "min-items-lowered",
      maxLowered: "max-items-lowered",
      maxRaised: "max-items-raised",
    },
    { min: old.minItems, max: old.maxItems },
    { min: next.minItems, max: next.maxItems },
    pointer,
  );
}
