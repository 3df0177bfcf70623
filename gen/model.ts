/**
 * The generator's model of a protocol: what the JSON Schema says, reduced to
 * the shapes the emitters know how to validate, write and type.
 *
 * @module
 */

/** A JSON scalar that a `const` or `enum` may name. */
export type Literal = string | number | boolean | null;

/** What every shape may carry besides its constraints. */
export interface Annotated {
  /** The JSDoc text copied from the schema. */
  readonly description?: string;
}

/** A string, with optional length bounds (in code points) and pattern. */
export interface StringShape extends Annotated {
  readonly kind: "string";
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly pattern?: string;
}

/** A number or integer, with optional bounds. */
export interface NumberShape extends Annotated {
  readonly kind: "number";
  readonly integer: boolean;
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
}

/** `true` or `false`. */
export interface BooleanShape extends Annotated {
  readonly kind: "boolean";
}

/** `null`. */
export interface NullShape extends Annotated {
  readonly kind: "null";
}

/** One of a fixed list of JSON scalars (`const` or `enum`). */
export interface LiteralShape extends Annotated {
  readonly kind: "literal";
  readonly values: readonly Literal[];
}

/** An array of items of one shape, with optional length bounds. */
export interface ArrayShape extends Annotated {
  readonly kind: "array";
  readonly items: Shape;
  readonly minItems?: number;
  readonly maxItems?: number;
}

/** One property of an object shape. */
export interface Property {
  readonly name: string;
  readonly required: boolean;
  readonly shape: Shape;
}

/**
 * An object with named properties. `closed` unless the schema says
 * `additionalProperties: true`: strict decoding rejects unknown properties of
 * closed objects; lenient decoding accepts them everywhere.
 */
export interface ObjectShape extends Annotated {
  readonly kind: "object";
  readonly properties: readonly Property[];
  readonly closed: boolean;
}

/** A reference to a named definition. */
export interface RefShape extends Annotated {
  readonly kind: "ref";
  readonly name: string;
}

/** Any one of several shapes. */
export interface UnionShape extends Annotated {
  readonly kind: "union";
  readonly members: readonly Shape[];
}

/** Any JSON value. */
export interface AnyShape extends Annotated {
  readonly kind: "any";
}

/** Everything the generator can validate, write and type. */
export type Shape =
  | StringShape
  | NumberShape
  | BooleanShape
  | NullShape
  | LiteralShape
  | ArrayShape
  | ObjectShape
  | RefShape
  | UnionShape
  | AnyShape;

/** A named type of the schema. */
export interface Definition {
  readonly name: string;
  readonly shape: Shape;
}

/** One message of a direction: its discriminator value and the definition that describes it. */
export interface MessageVariant {
  readonly tag: string;
  readonly definition: string;
}

/** The messages that one side sends. */
export interface DirectionModel {
  /** `"server"` for what a server sends, `"client"` for what a client sends. */
  readonly side: "server" | "client";
  /** The name of the union type, e.g. `ServerMessage`. */
  readonly typeName: string;
  readonly description?: string;
  readonly variants: readonly MessageVariant[];
}

/**
 * A message that expects an answer: its type, the types of the other direction that answer it (replies, and error
 * replies), and the property that pairs an answer with its request.
 */
export interface RequestModel {
  /** Who sends the request: `"client"` or `"server"`. */
  readonly side: "server" | "client";
  readonly tag: string;
  readonly replies: readonly string[];
  readonly errors: readonly string[];
  readonly correlation: string;
  readonly correlationKind: "string" | "integer";
}

/**
 * The resumable messages (the `resume` option): the server messages that declare its property, an optional string
 * the server fills in with a token (`position:topic`) that a reconnecting client carries back.
 */
export interface ResumeModel {
  /** The property, e.g. `pos`. */
  readonly property: string;
  /** The discriminator values of the server messages that declare it, in the order of the server union. */
  readonly types: readonly string[];
}

/** A whole protocol, ready to emit. */
export interface ProtocolModel {
  /** The protocol's name, e.g. `chat`. */
  readonly name: string;
  /** The schema file it came from, relative to the project, e.g. `schema/chat.ts`. */
  readonly source: string;
  readonly discriminator: string;
  readonly subprotocols: readonly string[];
  /** Every named type, in schema order; the direction unions are not among them. */
  readonly definitions: ReadonlyMap<string, Definition>;
  readonly server: DirectionModel;
  readonly client: DirectionModel;
  /** The messages that expect an answer; none (or absent) for a protocol of plain messages. */
  readonly requests?: readonly RequestModel[];
  /** The resumable messages, when the protocol opts in with the `resume` option. */
  readonly resume?: ResumeModel;
}

/**
 * Follows references until a shape that is not a reference.
 *
 * @param shape Any shape.
 * @param definitions The protocol's definitions.
 * @returns The shape a reference chain ends at.
 * @example
 * ```ts
 * import { resolveShape } from "./model.ts";
 * resolveShape({ kind: "ref", name: "Id" }, new Map([["Id", { name: "Id", shape: { kind: "null" } }]])); // { kind: "null" }
 * ```
 */
export function resolveShape(shape: Shape, definitions: ReadonlyMap<string, Definition>): Shape {
  let current = shape;
  for (let hops = 0; current.kind === "ref"; hops++) {
    const target = definitions.get(current.name);
    if (target === undefined || hops > definitions.size) {
      throw new Error(`unresolvable reference to ${current.name}`);
    }
    current = target.shape;
  }
  return current;
}

/** The names of the definitions a shape refers to directly (not following them). */
function referencesOf(shape: Shape, into: Set<string>): Set<string> {
  switch (shape.kind) {
    case "ref":
      into.add(shape.name);
      break;
    case "array":
      referencesOf(shape.items, into);
      break;
    case "union":
      for (const member of shape.members) referencesOf(member, into);
      break;
    case "object":
      for (const property of shape.properties) referencesOf(property.shape, into);
      break;
  }
  return into;
}

/** For each definition, every definition it reaches through one or more references. */
function reachability(definitions: ReadonlyMap<string, Definition>): Map<string, Set<string>> {
  const edges = new Map<string, Set<string>>();
  for (const [name, definition] of definitions) edges.set(name, referencesOf(definition.shape, new Set()));
  const reachable = (name: string): Set<string> => {
    const seen = new Set<string>();
    const pending = [...(edges.get(name) ?? [])];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      if (seen.has(next)) continue;
      seen.add(next);
      pending.push(...(edges.get(next) ?? []));
    }
    return seen;
  };
  return new Map([...edges.keys()].map((name) => [name, reachable(name)]));
}

/**
 * The recursive definitions: those that reach themselves through references
 * (a tree's `Node`, whose `children` are `Node`s). Their validators call themselves.
 *
 * @param definitions The protocol's definitions.
 * @returns Their names, in definition order; empty for a protocol without recursive types.
 * @example
 * ```ts
 * import { recursiveDefinitions } from "./model.ts";
 * const node = { kind: "object", closed: true, properties: [
 *   { name: "children", required: true, shape: { kind: "array", items: { kind: "ref", name: "Node" } } },
 * ] } as const;
 * recursiveDefinitions(new Map([["Node", { name: "Node", shape: node }]])); // ["Node"]
 * ```
 */
export function recursiveDefinitions(definitions: ReadonlyMap<string, Definition>): string[] {
  return recursiveIn(reachability(definitions));
}

function recursiveIn(reach: ReadonlyMap<string, ReadonlySet<string>>): string[] {
  return [...reach].filter(([name, reached]) => reached.has(name)).map(([name]) => name);
}

/**
 * The definitions whose values can nest without bound: the recursive ones and
 * those that reach one. The generator bounds how deeply a message of these
 * types nests before validating it.
 *
 * @param definitions The protocol's definitions.
 * @returns Their names; empty for a protocol without recursive types.
 * @example
 * ```ts
 * import { unboundedDefinitions } from "./model.ts";
 * const node = { kind: "object", closed: true, properties: [
 *   { name: "children", required: true, shape: { kind: "array", items: { kind: "ref", name: "Node" } } },
 * ] } as const;
 * unboundedDefinitions(new Map([["Node", { name: "Node", shape: node }]])); // Set { "Node" }
 * ```
 */
export function unboundedDefinitions(definitions: ReadonlyMap<string, Definition>): Set<string> {
  const reach = reachability(definitions);
  const recursive = recursiveIn(reach);
  return new Set(
    [...reach].filter(([name, reached]) => recursive.some((r) => r === name || reached.has(r))).map(([name]) => name),
  );
}
