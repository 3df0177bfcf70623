/**
 * Emits serializers specialized to each message shape: the JSON is spelled
 * out as string concatenation with the property names baked in, instead of
 * `JSON.stringify` walking the object. Writers trust their input: encoders
 * run the matching validator first.
 *
 * @module
 */
import type { Definition, ObjectShape, ProtocolModel, Shape } from "./model.ts";
import { resolveShape } from "./model.ts";
import { CheckEmitter, reachableObjects } from "./emit_checks.ts";
import { typeText } from "./emit_types.ts";
import { jsString, propertyRead } from "./names.ts";
import type { ModulePrinter } from "./printer.ts";
import { HelperQueue } from "./helper_queue.ts";

/**
 * A piece of a concatenation: fixed JSON text, or an expression that evaluates
 * to JSON text (`isString`) or to a number or boolean whose string form is its JSON.
 */
type Piece = { readonly text: string } | { readonly expression: string; readonly isString: boolean };

function concatenation(pieces: readonly Piece[]): string {
  const merged: Piece[] = [];
  for (const piece of pieces) {
    const last = merged.at(-1);
    if ("text" in piece && last !== undefined && "text" in last) {
      merged[merged.length - 1] = { text: last.text + piece.text };
    } else merged.push(piece);
  }
  const first = merged[0];
  if (first !== undefined && !("text" in first) && !first.isString) merged.unshift({ text: "" });
  return merged.map((p) => ("text" in p ? jsString(p.text) : p.expression)).join(" + ");
}

/** The JSON type of a shape's values, as far as a writer must tell union members apart. */
type JsonKind = "null" | "boolean" | "number" | "string" | "array" | "object" | "mixed";

function jsonKind(shape: Shape): JsonKind {
  switch (shape.kind) {
    case "literal": {
      const types = new Set(shape.values.map((v) => (v === null ? "null" : typeof v)));
      return types.size === 1 ? ([...types][0] as JsonKind) : "mixed";
    }
    case "union":
    case "ref":
    case "any":
      return "mixed";
    default:
      return shape.kind;
  }
}

/** Whether every value of a shape is a JSON scalar (string, number, boolean or null). */
function isScalar(shape: Shape, definitions: ReadonlyMap<string, Definition>): boolean {
  const target = resolveShape(shape, definitions);
  switch (target.kind) {
    case "string":
    case "number":
    case "boolean":
    case "null":
    case "literal":
      return true;
    case "union":
      return target.members.every((m) => isScalar(m, definitions));
    default:
      return false;
  }
}

/** Tests that pick a union member by JSON type. */
const KIND_TESTS: Partial<Record<JsonKind, (value: string) => string>> = {
  null: (v) => `${v} === null`,
  boolean: (v) => `typeof ${v} === "boolean"`,
  number: (v) => `typeof ${v} === "number"`,
  string: (v) => `typeof ${v} === "string"`,
  array: (v) => `Array.isArray(${v})`,
};

/** The order branches are tested in: cheap, specific tests first; objects and mixed last, as the fallback needs no test. */
const KIND_RANK: Record<JsonKind, number> = {
  null: 1,
  boolean: 2,
  number: 3,
  string: 4,
  array: 5,
  object: 6,
  mixed: 7,
};

/**
 * Prints a `write<Name>` function for every object type a message can contain.
 *
 * @example
 * ```ts
 * import { ModulePrinter } from "./printer.ts";
 * import { WriterEmitter } from "./emit_writers.ts";
 * declare const model: import("./model.ts").ProtocolModel;
 * new WriterEmitter(new ModulePrinter("../runtime/mod.ts", new Set()), model, new Set()).emitAll();
 * ```
 */
export class WriterEmitter {
  readonly #queue: HelperQueue;
  readonly #definitions: ReadonlyMap<string, Definition>;

  /**
   * @param p The module printer.
   * @param model The protocol.
   * @param taken Module-level names in use; helpers get fresh ones and add them.
   */
  constructor(
    private readonly p: ModulePrinter,
    private readonly model: ProtocolModel,
    taken: Set<string>,
  ) {
    this.#definitions = model.definitions;
    this.#queue = new HelperQueue(taken);
  }

  /** The serializer's name for an object definition. */
  static writeName(definition: string): string {
    return `write${definition}`;
  }

  /** Prints the serializers of every object type a message can contain. */
  emitAll(): void {
    for (const name of reachableObjects(this.model)) {
      const shape = (this.#definitions.get(name) as Definition).shape as ObjectShape;
      this.#emitObjectWriter(WriterEmitter.writeName(name), name, shape);
      this.p.line();
    }
    for (let next = this.#queue.next(); next !== undefined; next = this.#queue.next()) {
      const { name, shape } = next;
      if (shape.kind === "object") {
        this.#emitObjectWriter(name, typeText(shape), shape);
      } else {
        this.p.block(`function ${name}(value: ${typeText(shape)}): string {`, () => {
          this.p.line(`return ${concatenation([this.#write(shape, "value")])};`);
        });
      }
      this.p.line();
    }
  }

  #emitObjectWriter(name: string, type: string, shape: ObjectShape): void {
    const { p } = this;
    p.block(`function ${name}(v: ${type}): string {`, () => {
      if (shape.properties.length === 0) {
        p.line(`return "{}";`);
      } else if (shape.properties[0]?.required) {
        const pieces: Piece[] = [{ text: "{" }];
        shape.properties.forEach((property, i) => {
          const key = (i === 0 ? "" : ",") + JSON.stringify(property.name) + ":";
          const read = propertyRead("v", property.name);
          const value = this.#write(property.shape, read);
          if (property.required) {
            pieces.push({ text: key }, value);
          } else {
            const body = concatenation([{ text: key }, value]);
            pieces.push({ expression: `(${read} === undefined ? "" : ${body})`, isString: true });
          }
        });
        pieces.push({ text: "}" });
        p.line(`return ${concatenation(pieces)};`);
      } else {
        // No required property leads, so each one writes its own comma and the first is cut.
        p.line(`let out = "";`);
        for (const property of shape.properties) {
          const read = propertyRead("v", property.name);
          const add = `out += ${
            concatenation([{ text: "," + JSON.stringify(property.name) + ":" }, this.#write(property.shape, read)])
          };`;
          p.line(property.required ? add : `if (${read} !== undefined) ${add}`);
        }
        p.line(`return "{" + out.slice(1) + "}";`);
      }
    });
  }

  /** The expression that writes `value`, which is known to match `shape`. */
  #write(shape: Shape, value: string): Piece {
    switch (shape.kind) {
      case "string":
        return { expression: `${this.p.runtime("quote")}(${value})`, isString: true };
      case "number":
        return shape.integer
          ? { expression: `${this.p.runtime("writeInteger")}(${value})`, isString: true }
          : { expression: value, isString: false };
      case "boolean":
        return { expression: value, isString: false };
      case "null":
        return { text: "null" };
      case "literal":
        if (shape.values.length === 1) return { text: JSON.stringify(shape.values[0]) };
        if (shape.values.every((v) => typeof v === "string")) {
          return { expression: `${this.p.runtime("quote")}(${value})`, isString: true };
        }
        return this.#json(value);
      case "array": {
        // Scalars carry no properties to drop, so the engine's own loop writes them exactly, and fastest.
        if (isScalar(shape.items, this.#definitions)) return this.#json(value);
        const item = this.#itemWriter(shape.items);
        return { expression: `${this.p.runtime("writeList")}(${value}, ${item})`, isString: true };
      }
      case "ref": {
        const target = resolveShape(shape, this.#definitions);
        if (target.kind === "object") {
          return { expression: `${WriterEmitter.writeName(shape.name)}(${value})`, isString: true };
        }
        return this.#write(target, value);
      }
      case "object":
        return { expression: `${this.#helper(shape)}(${value})`, isString: true };
      case "union":
        return this.#writeUnion(shape.members, value);
      case "any":
        return this.#json(value);
    }
  }

  /**
   * Writes a union by testing which member a value is, cheapest test first:
   * by JSON type when members differ in it, else by a member's validator.
   * Only members that neither tells apart (two inline objects) fall back to `JSON.stringify`.
   */
  #writeUnion(members: readonly Shape[], value: string): Piece {
    const branches: { test: string | undefined; piece: Piece; rank: number }[] = [];
    const kinds = members.map((m) => jsonKind(resolveShape(m, this.#definitions)));
    for (const [i, member] of members.entries()) {
      const kind = kinds[i] as JsonKind;
      const shared = kinds.filter((k) => k === kind || k === "mixed").length > 1;
      if (!shared) {
        branches.push({ test: KIND_TESTS[kind]?.(value), piece: this.#write(member, value), rank: KIND_RANK[kind] });
      } else if (member.kind === "ref" && kind === "object") {
        // A validator is no type guard, so the branch tells the compiler what it found.
        const piece = this.#write(member, `(${value} as ${member.name})`);
        const check = `${CheckEmitter.checkName(member.name)}(${value}, false) === undefined`;
        branches.push({ test: `${this.p.runtime("isFields")}(${value}) && ${check}`, piece, rank: 0 });
      } else {
        return this.#json(value);
      }
    }
    branches.sort((a, b) => a.rank - b.rank);
    const last = branches.pop() as (typeof branches)[number];
    if (branches.some((b) => b.test === undefined)) return this.#json(value);
    const chain = branches.map((b) => `${b.test} ? ${concatenation([b.piece])} : `).join("");
    return { expression: `(${chain}${concatenation([last.piece])})`, isString: true };
  }

  /** The function `writeList` calls for each item (never a scalar: those arrays are written whole). */
  #itemWriter(items: Shape): string {
    const target = resolveShape(items, this.#definitions);
    if (items.kind === "ref" && target.kind === "object") return WriterEmitter.writeName(items.name);
    return this.#helper(items);
  }

  #helper(shape: Shape): string {
    return this.#queue.helperFor(shape, "writeValue");
  }

  #json(value: string): Piece {
    return { expression: `${this.p.runtime("writeJson")}(${value})`, isString: true };
  }
}
