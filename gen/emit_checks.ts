/**
 * Emits validators specialized to each shape: straight-line `typeof` and
 * bound checks, no schema walking at run time, no code compiled at run time.
 * The JSON Pointer and the description of a failure are built only when a
 * check fails.
 *
 * @module
 */
import { expectedText } from "./describe.ts";
import { type Definition, type ObjectShape, type ProtocolModel, resolveShape, type Shape } from "./model.ts";
import { constantCase, jsString, localName, propertyRead } from "./names.ts";
import type { ModulePrinter } from "./printer.ts";
import { escapePointerSegment } from "../src/runtime/issue.ts";
import { HelperQueue } from "./helper_queue.ts";

/** A JSON Pointer being built: static text and names of loop indexes. */
type Pointer = readonly (string | { readonly index: string })[];

function pointerExpression(pointer: Pointer): string {
  const parts: string[] = [];
  let text = "";
  for (const part of pointer) {
    if (typeof part === "string") {
      text += part;
    } else {
      parts.push(jsString(text + "/"), part.index);
      text = "";
    }
  }
  if (text !== "" || parts.length === 0) parts.push(jsString(text));
  return parts.join(" + ");
}

/**
 * Prints the validators of a protocol: one `check<Name>` per object type
 * reachable from a message, plus helpers for anonymous objects and unions.
 *
 * @example
 * ```ts
 * import { ModulePrinter } from "./printer.ts";
 * import { CheckEmitter } from "./emit_checks.ts";
 * declare const model: import("./model.ts").ProtocolModel;
 * const p = new ModulePrinter("../runtime/mod.ts", new Set());
 * new CheckEmitter(p, model, new Set()).emitAll();
 * ```
 */
export class CheckEmitter {
  readonly #queue: HelperQueue;
  readonly #constants: string[] = [];
  /** Each distinct pattern's constant. */
  readonly #patterns = new Map<string, string>();
  readonly #definitions: ReadonlyMap<string, Definition>;
  /** Named scalar types used by some check: each gets one predicate, shared by every use. */
  readonly #scalars = new Map<string, string>();
  /** The expected-text constant of each named scalar type some issue reports, shared by every such issue. */
  readonly #expectedTexts = new Map<string, string>();
  /** Messages whose discriminator the direction's switch has checked already: they are never nested in another type. */
  readonly #routedOnly: ReadonlySet<string>;

  /**
   * @param p The module printer.
   * @param model The protocol.
   * @param taken Module-level names in use; helpers get fresh ones and add them.
   */
  constructor(
    private readonly p: ModulePrinter,
    private readonly model: ProtocolModel,
    private readonly taken: Set<string>,
  ) {
    this.#definitions = model.definitions;
    this.#queue = new HelperQueue(taken);
    const nested = nestedReferences(model);
    this.#routedOnly = new Set(
      [...model.server.variants, ...model.client.variants].map((v) => v.definition).filter((d) => !nested.has(d)),
    );
  }

  /** The validator's name for an object definition. */
  static checkName(definition: string): string {
    return `check${definition}`;
  }

  /** Prints the validators of every object type a message can contain. */
  emitAll(): void {
    for (const name of reachableObjects(this.model)) {
      const definition = this.#definitions.get(name) as Definition;
      this.#queue.enqueue(CheckEmitter.checkName(name), definition.shape);
    }
    for (let next = this.#queue.next(); next !== undefined; next = this.#queue.next()) {
      if (next.shape.kind === "object") this.#emitObjectCheck(next.name, next.shape);
      else if (next.shape.kind === "union") this.#emitUnionCheck(next.name, next.shape);
      else this.#emitValueCheck(next.name, next.shape);
      this.p.line();
    }
    for (const [name, predicate] of this.#scalars) {
      const shape = (this.#definitions.get(name) as Definition).shape;
      this.p.block(`function ${predicate}(value: unknown): boolean {`, () => {
        this.p.line(`return !(${this.#simpleFail(shape, "value")});`);
      });
      this.p.line();
    }
    for (const [name, expected] of this.#expectedTexts) {
      const shape = (this.#definitions.get(name) as Definition).shape;
      this.#constants.push(`const ${expected} = ${jsString(expectedText(shape, this.#definitions))};`);
    }
    for (const constant of this.#constants) this.p.line(constant);
    if (this.#constants.length > 0) this.p.line();
  }

  #emitObjectCheck(name: string, shape: ObjectShape): void {
    const { p } = this;
    p.block(
      `function ${name}(v: ${p.runtimeType("Fields")}, strict: boolean): ${p.runtimeType("Issue")} | undefined {`,
      () => {
        const locals = new Set([...this.taken, "v", "strict"]);
        const routed = this.#routedOnly.has(name.replace(/^check/, ""));
        for (const property of shape.properties) {
          if (!property.required && property.shape.kind === "any") continue;
          if (routed && property.name === this.model.discriminator) continue;
          const local = localName(property.name, locals);
          p.line(`const ${local} = ${propertyRead("v", property.name)};`);
          const pointer: Pointer = ["/" + escapePointerSegment(property.name)];
          if (property.required) {
            this.#emitCheck(property.shape, local, pointer, locals, name);
            continue;
          }
          const fail = this.#simpleFail(property.shape, local);
          if (fail !== undefined) {
            p.line(`if (${local} !== undefined && (${fail})) return ${this.#issue(pointer, property.shape, local)};`);
          } else {
            p.block(
              `if (${local} !== undefined) {`,
              () => this.#emitCheck(property.shape, local, pointer, locals, name),
            );
          }
        }
        if (shape.closed) {
          const keys = this.#queue.fresh(`${constantCase(name.replace(/^check/, ""))}_KEYS`);
          const names = shape.properties.map((q) => JSON.stringify(q.name)).join(", ");
          this.#constants.push(`const ${keys}: ReadonlySet<string> = /*@__PURE__*/ new Set([${names}]);`);
          p.line(`return strict ? ${p.runtime("unknownPropertyIssue")}(v, ${keys}) : undefined;`);
        } else {
          p.line("return undefined;");
        }
      },
    );
  }

  #emitValueCheck(name: string, shape: Shape): void {
    this.p.block(
      `function ${name}(value: unknown, strict: boolean): ${this.p.runtimeType("Issue")} | undefined {`,
      () => {
        this.#emitCheck(shape, "value", [""], new Set([...this.taken, "value", "strict"]), name);
        this.p.line("return undefined;");
      },
    );
  }

  /** A union whose members need statements: it fails when every member fails. */
  #emitUnionCheck(name: string, shape: Shape & { kind: "union" }): void {
    const { p } = this;
    const tests = shape.members.map((member) => {
      const fail = this.#simpleFail(member, "value");
      if (fail !== undefined) return `(${fail})`;
      const checker = this.#checkerFor(member, name);
      return this.#resolve(member).kind === "object"
        ? `(!${p.runtime("isFields")}(value) || ${checker}(value, strict) !== undefined)`
        : `${checker}(value, strict) !== undefined`;
    });
    p.block(`function ${name}(value: unknown, strict: boolean): ${p.runtimeType("Issue")} | undefined {`, () => {
      p.line(`if (${tests.join(" && ")}) return ${this.#issue([""], shape, "value")};`);
      p.line("return undefined;");
    });
  }

  /** Prints statements that return an issue when `value` does not match `shape`. */
  #emitCheck(shape: Shape, value: string, pointer: Pointer, locals: Set<string>, owner: string): void {
    const { p } = this;
    const fail = this.#simpleFail(shape, value);
    if (fail !== undefined) {
      p.line(`if (${fail}) return ${this.#issue(pointer, shape, value)};`);
      return;
    }
    const target = this.#resolve(shape);
    if (target.kind === "array") {
      const bounds = [`!Array.isArray(${value})`];
      if ((target.minItems ?? 0) > 0) bounds.push(`${value}.length < ${target.minItems}`);
      if (target.maxItems !== undefined) bounds.push(`${value}.length > ${target.maxItems}`);
      p.line(`if (${bounds.join(" || ")}) return ${this.#issue(pointer, target, value)};`);
      if (target.items.kind === "any") return;
      const index = localName("i", locals);
      const item = localName("item", locals);
      p.block(`for (let ${index} = 0; ${index} < ${value}.length; ${index}++) {`, () => {
        p.line(`const ${item}: unknown = ${value}[${index}];`);
        this.#emitCheck(target.items, item, [...pointer, { index }], locals, owner);
      });
      return;
    }
    if (target.kind === "object") {
      p.line(`if (!${p.runtime("isFields")}(${value})) return ${this.#issue(pointer, shape, value)};`);
    }
    const inner = localName("issue", locals);
    p.line(`const ${inner} = ${this.#checkerFor(shape, owner)}(${value}, strict);`);
    p.line(`if (${inner} !== undefined) return ${p.runtime("issueWithin")}(${pointerExpression(pointer)}, ${inner});`);
  }

  /** The function that checks a shape needing statements, queued for printing on first use. */
  #checkerFor(shape: Shape, owner: string): string {
    if (shape.kind === "ref" && this.#resolve(shape).kind === "object") return CheckEmitter.checkName(shape.name);
    const target = this.#resolve(shape);
    const kind = target.kind === "object" ? "Object" : target.kind === "union" ? "Union" : "Value";
    return this.#queue.helperFor(target, `${owner}${kind}`);
  }

  #resolve(shape: Shape): Shape {
    return shape.kind === "ref" ? resolveShape(shape, this.#definitions) : shape;
  }

  /** Whether a failure of `shape` is one expression (no statements, no helper). Emits nothing. */
  #isSimple(shape: Shape): boolean {
    switch (shape.kind) {
      case "ref": {
        const target = (this.#definitions.get(shape.name) as Definition).shape;
        return target.kind !== "object" && this.#isSimple(target);
      }
      case "union":
        return shape.members.every((m) => this.#isSimple(m));
      case "array":
      case "object":
        return false;
      default:
        return true;
    }
  }

  /**
   * An expression that is true when `value` fails `shape`, for shapes that need no statements; `undefined` for the
   * others. Only a simple shape's expression is built, so no pattern constant is made for an expression not printed.
   */
  #simpleFail(shape: Shape, value: string): string | undefined {
    return this.#isSimple(shape) ? this.#failExpression(shape, value) : undefined;
  }

  /** The expression of {@link #simpleFail} for a shape that {@link #isSimple} accepts. */
  #failExpression(shape: Shape, value: string): string {
    switch (shape.kind) {
      case "string": {
        const tests = [`typeof ${value} !== "string"`];
        if (shape.minLength !== undefined || shape.maxLength !== undefined) {
          tests.push(
            `${this.p.runtime("lengthOutside")}(${value}, ${shape.minLength ?? 0}, ${shape.maxLength ?? "Infinity"})`,
          );
        }
        if (shape.pattern !== undefined) tests.push(`!${this.#pattern(shape.pattern)}.test(${value})`);
        return tests.join(" || ");
      }
      case "number": {
        const tests = [
          `typeof ${value} !== "number"`,
          shape.integer ? `!Number.isInteger(${value})` : `!Number.isFinite(${value})`,
        ];
        if (shape.minimum !== undefined) tests.push(`${value} < ${shape.minimum}`);
        if (shape.maximum !== undefined) tests.push(`${value} > ${shape.maximum}`);
        if (shape.exclusiveMinimum !== undefined) tests.push(`${value} <= ${shape.exclusiveMinimum}`);
        if (shape.exclusiveMaximum !== undefined) tests.push(`${value} >= ${shape.exclusiveMaximum}`);
        return tests.join(" || ");
      }
      case "boolean":
        return `typeof ${value} !== "boolean"`;
      case "null":
        return `${value} !== null`;
      case "literal":
        return shape.values.map((v) => `${value} !== ${JSON.stringify(v)}`).join(" && ");
      case "any":
        return `${value} === undefined`;
      case "ref":
        return `!${this.#scalar(shape.name)}(${value})`;
      case "union": {
        const fails = shape.members.map((m) => this.#failExpression(m, value));
        // Tests that call nothing go first: a value they accept (a null in a list of names) is then never passed to
        // a predicate that would see it fail, which V8 runs markedly slower when it sees more than one type.
        const calls = (f: string) => f.includes("(");
        return [...fails.filter((f) => !calls(f)), ...fails.filter(calls)].map((f) => `(${f})`).join(" && ");
      }
      case "array":
      case "object":
        throw new Error(`a ${shape.kind} needs statements, not one expression`);
    }
  }

  /** The constant holding a pattern's RegExp: one per distinct pattern, however many properties use it. */
  #pattern(pattern: string): string {
    let name = this.#patterns.get(pattern);
    if (name === undefined) {
      name = this.#queue.fresh(`PATTERN_${this.#patterns.size}`);
      this.#patterns.set(pattern, name);
      this.#constants.push(`const ${name} = /*@__PURE__*/ new RegExp(${JSON.stringify(pattern)}, "u");`);
    }
    return name;
  }

  /** The shared predicate of a named scalar type, created on first use. */
  #scalar(name: string): string {
    let predicate = this.#scalars.get(name);
    if (predicate === undefined) {
      predicate = this.#queue.fresh(`valid${name}`);
      this.#scalars.set(name, predicate);
    }
    return predicate;
  }

  #issue(pointer: Pointer, shape: Shape, value: string): string {
    if (shape.kind === "ref" && this.#scalars.has(shape.name)) {
      let expected = this.#expectedTexts.get(shape.name);
      if (expected === undefined) {
        expected = this.#queue.fresh(`${constantCase(shape.name)}_EXPECTED`);
        this.#expectedTexts.set(shape.name, expected);
      }
      return `${this.p.runtime("issueAt")}(${pointerExpression(pointer)}, ${expected}, ${value})`;
    }
    return `${this.p.runtime("issueAt")}(${pointerExpression(pointer)}, ${
      jsString(expectedText(shape, this.#definitions))
    }, ${value})`;
  }
}

/**
 * The definitions referenced from inside some definition (as opposed to only
 * named as a message of a direction).
 *
 * @param model The protocol.
 * @returns Their names.
 */
export function nestedReferences(model: ProtocolModel): Set<string> {
  const found = new Set<string>();
  const visit = (shape: Shape): void => {
    if (shape.kind === "ref") found.add(shape.name);
    else if (shape.kind === "array") visit(shape.items);
    else if (shape.kind === "union") shape.members.forEach(visit);
    else if (shape.kind === "object") shape.properties.forEach((p) => visit(p.shape));
  };
  for (const definition of model.definitions.values()) visit(definition.shape);
  return found;
}

/**
 * The object definitions a message can contain, in definition order.
 *
 * @param model The protocol.
 * @returns Names of object definitions reachable from either direction.
 */
export function reachableObjects(model: ProtocolModel): string[] {
  const seen = new Set<string>();
  const visit = (shape: Shape): void => {
    switch (shape.kind) {
      case "ref": {
        if (seen.has(shape.name)) return;
        seen.add(shape.name);
        const target = model.definitions.get(shape.name);
        if (target !== undefined) visit(target.shape);
        return;
      }
      case "array":
        return visit(shape.items);
      case "union":
        return shape.members.forEach(visit);
      case "object":
        return shape.properties.forEach((p) => visit(p.shape));
      default:
        return;
    }
  };
  for (const direction of [model.server, model.client]) {
    for (const variant of direction.variants) visit({ kind: "ref", name: variant.definition });
  }
  return [...model.definitions.values()]
    .filter((d) => seen.has(d.name) && d.shape.kind === "object")
    .map((d) => d.name);
}
