/**
 * Emits the pickers that encoders serialize: for each object type, a function
 * that copies a validated value's schema properties, in schema order, into a
 * fresh object literal, which the engine's own `JSON.stringify` then writes in
 * one native pass. Writing the JSON out in JavaScript instead (string
 * concatenation with the property names baked in) looks faster only until the
 * concatenated string is flattened for sending: measured that way, it lost to
 * `JSON.stringify` on V8 and on JavaScriptCore (see BENCHMARKS.md). Pickers
 * trust their input: encoders run the matching validator first.
 *
 * A picked object lists its properties as the model does, which is the order a
 * JSON schema's `properties` parse into, so `JSON.stringify` writes them in
 * schema order (array-index names first, as in any JavaScript object).
 *
 * @module
 */
import type { Definition, ObjectShape, ProtocolModel, Shape } from "./model.ts";
import { resolveShape } from "./model.ts";
import { CheckEmitter, reachableObjects } from "./emit_checks.ts";
import { typeText } from "./emit_types.ts";
import { propertyKey, propertyRead } from "./names.ts";
import type { ModulePrinter } from "./printer.ts";
import { HelperQueue } from "./helper_queue.ts";

/** The JSON type of a shape's values, as far as a picker must tell union members apart. */
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

/** An object-literal key; `__proto__` is computed, as a plain one would set the prototype instead. */
function literalKey(name: string): string {
  return name === "__proto__" ? `[${JSON.stringify(name)}]` : propertyKey(name);
}

/**
 * Prints a `pick<Name>` function for every object type a message can contain.
 *
 * @example
 * ```ts
 * import { ModulePrinter } from "./printer.ts";
 * import { PickerEmitter } from "./emit_writers.ts";
 * declare const model: import("./model.ts").ProtocolModel;
 * new PickerEmitter(new ModulePrinter("../runtime/mod.ts", new Set()), model, new Set()).emitAll();
 * ```
 */
export class PickerEmitter {
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

  /** The picker's name for an object definition. */
  static pickName(definition: string): string {
    return `pick${definition}`;
  }

  /** Prints the pickers of every object type a message can contain. */
  emitAll(): void {
    for (const name of reachableObjects(this.model)) {
      const shape = (this.#definitions.get(name) as Definition).shape as ObjectShape;
      this.#emitPicker(PickerEmitter.pickName(name), name, this.#pickObject(shape, "v"));
    }
    for (let next = this.#queue.next(); next !== undefined; next = this.#queue.next()) {
      const { name, shape } = next;
      const body = shape.kind === "object" ? this.#pickObject(shape, "v") : this.#pick(shape, "v");
      this.#emitPicker(name, typeText(shape), body);
    }
  }

  #emitPicker(name: string, type: string, body: string): void {
    this.p.block(`function ${name}(v: ${type}): unknown {`, () => this.p.line(`return ${body};`));
    this.p.line();
  }

  /** A literal of the object's schema properties; `JSON.stringify` leaves out those that are `undefined`. */
  #pickObject(shape: ObjectShape, value: string): string {
    const fields = shape.properties.map((property) => {
      const read = propertyRead(value, property.name);
      const single = property.shape.kind === "literal" && property.shape.values.length === 1;
      const picked = single ? JSON.stringify(property.shape.values[0]) : this.#pick(property.shape, read);
      const guarded = property.required || picked === read ? picked : `${read} === undefined ? undefined : ${picked}`;
      return `${literalKey(property.name)}: ${guarded}`;
    });
    return fields.length === 0 ? "{}" : `{ ${fields.join(", ")} }`;
  }

  /** The expression that picks `value`, known to match `shape`: `value` itself when there is nothing to drop. */
  #pick(shape: Shape, value: string): string {
    if (this.#whole(shape, new Set())) return value;
    switch (shape.kind) {
      case "array":
        return `${this.p.runtime("pickList")}(${value}, ${this.#itemPicker(shape.items)})`;
      case "ref": {
        const target = resolveShape(shape, this.#definitions);
        return target.kind === "object" ? `${PickerEmitter.pickName(shape.name)}(${value})` : this.#pick(target, value);
      }
      case "object":
        return `${this.#helper(shape)}(${value})`;
      case "union":
        return this.#pickUnion(shape.members, value);
      default:
        return value;
    }
  }

  /**
   * Whether `JSON.stringify` writes a validated value of `shape` as the schema
   * says without picking: true unless an object (whose unknown properties must
   * be dropped) can occur in it. `seen` breaks cycles through named types.
   */
  #whole(shape: Shape, seen: Set<string>): boolean {
    switch (shape.kind) {
      case "object":
        return false;
      case "array":
        return this.#whole(shape.items, seen);
      case "union":
        return shape.members.every((m) => this.#whole(m, seen));
      case "ref": {
        if (seen.has(shape.name)) return true;
        seen.add(shape.name);
        return this.#whole((this.#definitions.get(shape.name) as Definition).shape, seen);
      }
      default:
        return true;
    }
  }

  /**
   * Picks a union member by testing which one a value is, cheapest test first:
   * by JSON type when members differ in it, else by a member's validator.
   * Members that neither tells apart (two inline objects) are written whole,
   * unknown properties included.
   */
  #pickUnion(members: readonly Shape[], value: string): string {
    const branches: { test: string | undefined; picked: string; rank: number }[] = [];
    const kinds = members.map((m) => jsonKind(resolveShape(m, this.#definitions)));
    for (const [i, member] of members.entries()) {
      const kind = kinds[i] as JsonKind;
      const shared = kinds.filter((k) => k === kind || k === "mixed").length > 1;
      if (!shared) {
        branches.push({ test: KIND_TESTS[kind]?.(value), picked: this.#pick(member, value), rank: KIND_RANK[kind] });
      } else if (member.kind === "ref" && kind === "object") {
        // A validator is no type guard, so the branch tells the compiler what it found.
        const picked = this.#pick(member, `(${value} as ${member.name})`);
        const check = `${CheckEmitter.checkName(member.name)}(${value}, false) === undefined`;
        branches.push({ test: `${this.p.runtime("isFields")}(${value}) && ${check}`, picked, rank: 0 });
      } else {
        return value;
      }
    }
    branches.sort((a, b) => a.rank - b.rank);
    const last = branches.pop() as (typeof branches)[number];
    if (branches.some((b) => b.test === undefined)) return value;
    return `(${branches.map((b) => `${b.test} ? ${b.picked} : `).join("")}${last.picked})`;
  }

  /** The function `pickList` calls for each item of an array that needs picking. */
  #itemPicker(items: Shape): string {
    const target = resolveShape(items, this.#definitions);
    if (items.kind === "ref" && target.kind === "object") return PickerEmitter.pickName(items.name);
    return this.#helper(items);
  }

  #helper(shape: Shape): string {
    return this.#queue.helperFor(shape, "pickValue");
  }
}
