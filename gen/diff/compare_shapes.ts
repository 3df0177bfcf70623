/**
 * Two shapes compared, recursively: objects property by property, arrays
 * item by item, unions member by member (matched by kind, objects by a
 * discriminating literal), references followed with a guard against cycles.
 * Each difference is a finding at its JSON Pointer; `diff.ts` judges them.
 *
 * @module
 */
import { expectedText } from "../describe.ts";
import type { Definition, Literal, ObjectShape, Shape } from "../model.ts";
import { compareArrayLengths, compareNumbers, compareStrings } from "./compare_bounds.ts";
import { escapePointerSegment } from "../../src/runtime/issue.ts";
import type { Finding } from "./finding.ts";
import { literalFits, literalKind } from "./literal_fits.ts";

/**
 * The definitions each shape's references name.
 *
 * @example
 * ```ts
 * import type { ShapeContext } from "./compare_shapes.ts";
 * const context: ShapeContext = { oldDefinitions: new Map(), newDefinitions: new Map() };
 * ```
 */
export interface ShapeContext {
  readonly oldDefinitions: ReadonlyMap<string, Definition>;
  readonly newDefinitions: ReadonlyMap<string, Definition>;
}

/** Pointers deeper than this are not followed: a recursive type is compared down to where it repeats, or to here. */
const MAX_DEPTH = 64;

/** Kinds compared member to member; the others (`literal`, `union`, `any`, `ref`) are handled before. */
const TYPED = new Set(["string", "number", "boolean", "null", "array", "object"]);

/**
 * Compares two shapes and returns every difference, with the JSON Pointer where it is.
 *
 * @param old The old shape.
 * @param next The new shape.
 * @param context The definitions their references name.
 * @param pointer Where they are in the message.
 * @param ignore Property names of the outermost object not to compare (the discriminator: its value is the message).
 * @returns The findings, outermost first.
 * @example
 * ```ts
 * import { compareShapes } from "./compare_shapes.ts";
 * const context = { oldDefinitions: new Map(), newDefinitions: new Map() };
 * compareShapes({ kind: "string" }, { kind: "union", members: [{ kind: "string" }, { kind: "null" }] }, context)
 *   .map((f) => f.rule); // ["union-member-added"]
 * ```
 */
export function compareShapes(
  old: Shape,
  next: Shape,
  context: ShapeContext,
  pointer = "",
  ignore: readonly string[] = [],
): Finding[] {
  const comparer = new ShapeComparer(context);
  comparer.compare(old, next, pointer, ignore);
  return comparer.findings;
}

/** A union member, as written and with its references followed. */
interface Member {
  readonly shape: Shape;
  readonly resolved: Shape;
}

class ShapeComparer {
  readonly findings: Finding[] = [];
  /** The pairs of references being compared, outermost first: meeting one again is a cycle. */
  readonly #open = new Set<string>();

  constructor(private readonly context: ShapeContext) {}

  compare(old: Shape, next: Shape, pointer: string, ignore: readonly string[] = []): void {
    if (pointer.split("/").length > MAX_DEPTH) return;
    // Descriptions are compared level to level: a reference beside an inline shape is followed first.
    if (old.kind === next.kind && (old.description ?? "") !== (next.description ?? "")) {
      this.findings.push({ rule: "description-changed", pointer, detail: "description changed" });
    }
    if (old.kind === "ref" || next.kind === "ref") {
      const key = `${old.kind === "ref" ? old.name : "-"}\u0000${next.kind === "ref" ? next.name : "-"}`;
      if (this.#open.has(key)) return;
      this.#open.add(key);
      this.compare(this.#follow(old, "old"), this.#follow(next, "new"), pointer, ignore);
      this.#open.delete(key);
      return;
    }
    if (old.kind === next.kind && TYPED.has(old.kind)) this.#compareSame(old, next, pointer, ignore);
    else this.#compareUnion(this.#members(old, "old"), this.#members(next, "new"), pointer);
  }

  #follow(shape: Shape, version: "old" | "new"): Shape {
    if (shape.kind !== "ref") return shape;
    const definitions = version === "old" ? this.context.oldDefinitions : this.context.newDefinitions;
    const target = definitions.get(shape.name);
    if (target === undefined) throw new Error(`unresolvable reference to ${shape.name}`);
    return target.shape;
  }

  #resolve(shape: Shape, version: "old" | "new"): Shape {
    let current = shape;
    for (let hops = 0; current.kind === "ref" && hops < 1000; hops++) current = this.#follow(current, version);
    return current;
  }

  /** A shape's union members, nested unions flattened; a shape that is no union is its own one member. */
  #members(shape: Shape, version: "old" | "new", seen = new Set<string>()): Member[] {
    const resolved = this.#resolve(shape, version);
    if (resolved.kind !== "union") return [{ shape, resolved }];
    if (shape.kind === "ref") {
      if (seen.has(shape.name)) return [];
      seen.add(shape.name);
    }
    return resolved.members.flatMap((member) => this.#members(member, version, seen));
  }

  #describe(shape: Shape, version: "old" | "new"): string {
    return expectedText(shape, version === "old" ? this.context.oldDefinitions : this.context.newDefinitions);
  }

  #compareSame(old: Shape, next: Shape, pointer: string, ignore: readonly string[]): void {
    if (old.kind === "string" && next.kind === "string") this.findings.push(...compareStrings(old, next, pointer));
    else if (old.kind === "number" && next.kind === "number") {
      this.findings.push(...compareNumbers(old, next, pointer));
    } else if (old.kind === "array" && next.kind === "array") {
      this.findings.push(...compareArrayLengths(old, next, pointer));
      this.compare(old.items, next.items, `${pointer}/0`);
    } else if (old.kind === "object" && next.kind === "object") this.#compareObjects(old, next, pointer, ignore);
  }

  #compareObjects(old: ObjectShape, next: ObjectShape, pointer: string, ignore: readonly string[]): void {
    for (const property of old.properties) {
      if (ignore.includes(property.name)) continue;
      const at = `${pointer}/${escapePointerSegment(property.name)}`;
      const now = next.properties.find((p) => p.name === property.name);
      if (now === undefined) {
        const example = `a message with ${at}`;
        this.findings.push(
          property.required
            ? {
              rule: "property-removed-required",
              pointer: at,
              detail: "required property removed",
              example: `a message without ${at}`,
              ...(!next.closed && { strictRefuses: "new-sender" as const }),
            }
            : {
              rule: "property-removed-optional",
              pointer: at,
              detail: "optional property removed",
              example,
              ...(!next.closed && { strictRefuses: "none" as const }),
            },
        );
        continue;
      }
      if (property.required !== now.required) {
        this.findings.push({
          rule: now.required ? "property-made-required" : "property-made-optional",
          pointer: at,
          detail: now.required ? "optional -> required" : "required -> optional",
          example: `a message without ${at}`,
        });
      }
      this.compare(property.shape, now.shape, at);
    }
    for (const property of next.properties) {
      if (ignore.includes(property.name) || old.properties.some((p) => p.name === property.name)) continue;
      const at = `${pointer}/${escapePointerSegment(property.name)}`;
      this.findings.push(
        property.required
          ? {
            rule: "property-added-required",
            pointer: at,
            detail: "required property added",
            example: `a message without ${at}`,
            ...(!old.closed && { strictRefuses: "old-sender" as const }),
          }
          : {
            rule: "property-added-optional",
            pointer: at,
            detail: "optional property added",
            example: `a message with ${at}`,
            ...(!old.closed && { strictRefuses: "none" as const }),
          },
      );
    }
    if (old.closed !== next.closed) {
      this.findings.push({
        rule: next.closed ? "object-closed" : "object-opened",
        pointer,
        detail: next.closed ? "additionalProperties true -> false" : "additionalProperties false -> true",
      });
    }
  }

  #compareUnion(old: readonly Member[], next: readonly Member[], pointer: string): void {
    const oldAny = old.some((m) => m.resolved.kind === "any");
    const newAny = next.some((m) => m.resolved.kind === "any");
    if (oldAny || newAny) {
      if (oldAny && newAny) return;
      const shapes = (oldAny ? next : old).map((m) => this.#describe(m.shape, oldAny ? "new" : "old"));
      this.findings.push({
        rule: oldAny ? "type-narrowed" : "type-widened",
        pointer,
        detail: oldAny ? `any -> ${shapes.join(" or ")}` : `${shapes.join(" or ")} -> any`,
        example: `a value that is not ${shapes.join(" or ")}`,
      });
      return;
    }
    const literals = (members: readonly Member[]): Literal[] =>
      members.flatMap((m) => m.resolved.kind === "literal" ? m.resolved.values : []);
    const typed = (members: readonly Member[]) => members.filter((m) => TYPED.has(m.resolved.kind));
    const [oldLiterals, newLiterals] = [literals(old), literals(next)];
    const [oldTyped, newTyped] = [typed(old), typed(next)];
    const has = (values: readonly Literal[], value: Literal) => values.some((v) => v === value);
    const removedValues = oldLiterals.filter((value) =>
      !has(newLiterals, value) && !newTyped.some((m) => literalFits(value, m.resolved))
    );
    const addedValues = newLiterals.filter((value) =>
      !has(oldLiterals, value) && !oldTyped.some((m) => literalFits(value, m.resolved))
    );
    const kinds = (members: readonly Member[]) => new Set(members.map((m) => m.resolved.kind));
    const [oldKinds, newKinds] = [kinds(oldTyped), kinds(newTyped)];
    const added: Member[] = [];
    const removed: Member[] = [];
    for (const member of newTyped) {
      if (oldKinds.has(member.resolved.kind)) continue;
      // Literals of the same type all kept by it: `"a" | "b"` became `string`.
      const covered = oldLiterals.filter((v) => literalKind(v) === member.resolved.kind);
      if (covered.length > 0 && covered.every((v) => !has(removedValues, v))) {
        this.findings.push({
          rule: "type-widened",
          pointer,
          detail: `${covered.map((v) => JSON.stringify(v)).join(" | ")} -> ${this.#describe(member.shape, "new")}`,
          example: `${this.#describe(member.shape, "new")} other than ${
            covered.map((v) => JSON.stringify(v)).join(", ")
          }`,
        });
      } else added.push(member);
    }
    for (const member of oldTyped) {
      if (newKinds.has(member.resolved.kind)) continue;
      const kept = newLiterals.filter((v) => literalKind(v) === member.resolved.kind);
      if (kept.length > 0 && kept.every((v) => !has(addedValues, v))) {
        this.findings.push({
          rule: "type-narrowed",
          pointer,
          detail: `${this.#describe(member.shape, "old")} -> ${kept.map((v) => JSON.stringify(v)).join(" | ")}`,
          example: `${this.#describe(member.shape, "old")} other than ${kept.map((v) => JSON.stringify(v)).join(", ")}`,
        });
      } else removed.push(member);
    }
    if (added.length === 1 && removed.length === 1) {
      const [from, to] = [this.#describe(removed[0]!.shape, "old"), this.#describe(added[0]!.shape, "new")];
      this.findings.push({ rule: "type-changed", pointer, detail: `${from} -> ${to}`, example: `${from} or ${to}` });
    } else {
      for (const member of added) {
        const text = this.#describe(member.shape, "new");
        this.findings.push({ rule: "union-member-added", pointer, detail: `${text} added`, example: text });
      }
      for (const member of removed) {
        const text = this.#describe(member.shape, "old");
        this.findings.push({ rule: "union-member-removed", pointer, detail: `${text} removed`, example: text });
      }
    }
    for (const value of addedValues) {
      const text = JSON.stringify(value);
      this.findings.push({
        rule: "enum-value-added",
        pointer,
        detail: `value ${text} added`,
        example: `the value ${text}`,
      });
    }
    for (const value of removedValues) {
      const text = JSON.stringify(value);
      this.findings.push({
        rule: "enum-value-removed",
        pointer,
        detail: `value ${text} removed`,
        example: `the value ${text}`,
      });
    }
    for (const kind of oldKinds) {
      if (!newKinds.has(kind)) continue;
      this.#pairMembers(
        oldTyped.filter((m) => m.resolved.kind === kind),
        newTyped.filter((m) => m.resolved.kind === kind),
        pointer,
      );
    }
  }

  /**
   * Pairs members of one kind (several objects, most often): objects by a property every one of them has, required,
   * with a single literal value; otherwise in order.
   */
  #pairMembers(old: readonly Member[], next: readonly Member[], pointer: string): void {
    if (old.length === 1 && next.length === 1) {
      this.compare(old[0]!.shape, next[0]!.shape, pointer);
      return;
    }
    const key = discriminatingProperty([...old, ...next].map((m) => m.resolved));
    const tag = (member: Member): Literal | undefined => {
      if (key === undefined || member.resolved.kind !== "object") return undefined;
      const property = member.resolved.properties.find((p) => p.name === key);
      const shape = property?.shape.kind === "literal" ? property.shape : undefined;
      return shape?.values[0];
    };
    const unmatched = [...next];
    for (const [i, member] of old.entries()) {
      const index = key === undefined
        ? (i < next.length ? unmatched.indexOf(next[i]!) : -1)
        : unmatched.findIndex((m) => tag(m) === tag(member));
      if (index < 0) {
        const text = this.#describe(member.shape, "old");
        this.findings.push({ rule: "union-member-removed", pointer, detail: `${text} removed`, example: text });
        continue;
      }
      const [match] = unmatched.splice(index, 1);
      this.compare(member.shape, match!.shape, pointer);
    }
    for (const member of unmatched) {
      const text = this.#describe(member.shape, "new");
      this.findings.push({ rule: "union-member-added", pointer, detail: `${text} added`, example: text });
    }
  }
}

/** A property that every object has, required, with one literal value: what tells them apart. */
function discriminatingProperty(shapes: readonly Shape[]): string | undefined {
  const objects = shapes.filter((s): s is ObjectShape => s.kind === "object");
  if (objects.length !== shapes.length || objects.length === 0) return undefined;
  const candidates = objects[0]!.properties.filter((p) => p.required).map((p) => p.name);
  return candidates.find((name) =>
    objects.every((object) => {
      const property = object.properties.find((p) => p.name === name);
      return property?.required === true && property.shape.kind === "literal" && property.shape.values.length === 1;
    })
  );
}
