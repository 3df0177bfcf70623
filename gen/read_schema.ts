/**
 * Reads a JSON Schema document (draft-07 `definitions` or 2020-12 `$defs`)
 * into the generator's model, refusing clearly what it cannot validate.
 *
 * @module
 */
import { SchemaError } from "./errors.ts";
import {
  type Definition,
  type DirectionModel,
  type Literal,
  type MessageVariant,
  type Property,
  type ProtocolModel,
  resolveShape,
  type Shape,
} from "./model.ts";
import { readRequests, REQUEST_KEYWORDS } from "./requests.ts";
import { readResume } from "./resume.ts";
import { unescapePointerSegment } from "./json_pointer.ts";

/** What the reader needs to know beyond the document itself. */
export interface ReadOptions {
  /** The protocol's name, e.g. `chat`. */
  readonly name: string;
  /** The schema file, relative to the project, for the generated header and errors. */
  readonly source: string;
  /** The property that names each message's type. */
  readonly discriminator: string;
  /** WebSocket subprotocols the client offers. */
  readonly subprotocols: readonly string[];
  /** The definition holding the union of what a server sends. */
  readonly serverType: string;
  /** The definition holding the union of what a client sends. */
  readonly clientType: string;
  /** The property that makes the server messages declaring it resumable (see `./resume.ts`); none by default. */
  readonly resume?: string;
}

type SchemaNode = Readonly<Record<string, unknown>>;

/** Keywords that document a schema without constraining it; `format` is treated as documentation, as JSON Schema 2019-09 and later do by default. */
const ANNOTATIONS = new Set([
  "description",
  "title",
  "$comment",
  "examples",
  "default",
  "deprecated",
  "readOnly",
  "writeOnly",
  "format",
  "$id",
  "$schema",
  "markdownDescription",
  "contentMediaType",
  "contentEncoding",
]);

/** Constraint keywords allowed for each JSON type. */
const KEYWORDS: Readonly<Record<string, ReadonlySet<string>>> = {
  string: new Set(["minLength", "maxLength", "pattern"]),
  integer: new Set(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]),
  number: new Set(["minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"]),
  boolean: new Set(),
  null: new Set(),
  array: new Set(["items", "minItems", "maxItems"]),
  object: new Set(["properties", "required", "additionalProperties"]),
};

/**
 * Converts a JSON Schema document into a protocol model.
 *
 * @param document The parsed JSON Schema.
 * @param options Names of the direction unions, discriminator and the rest.
 * @returns The model the emitters work from.
 * @throws {SchemaError} For a construct the generator cannot validate, naming the type and why.
 * @example
 * ```ts
 * import { readJsonSchema } from "./read_schema.ts";
 * const model = readJsonSchema(
 *   { definitions: {
 *     Ping: { type: "object", properties: { type: { const: "ping" } }, required: ["type"] },
 *     ServerMessage: { $ref: "#/definitions/Ping" },
 *     ClientMessage: { $ref: "#/definitions/Ping" },
 *   } },
 *   { name: "ping", source: "ping.json", discriminator: "type", subprotocols: [], serverType: "ServerMessage", clientType: "ClientMessage" },
 * );
 * console.log(model.server.variants); // [{ tag: "ping", definition: "Ping" }]
 * ```
 */
export function readJsonSchema(document: unknown, options: ReadOptions): ProtocolModel {
  const fail = (where: string, why: string): never => {
    throw new SchemaError(options.source, where, why);
  };
  if (!isNode(document)) fail("(document)", "a JSON Schema document must be an object");
  if (options.discriminator in Object.prototype) {
    fail(
      "(options)",
      `the discriminator cannot be ${JSON.stringify(options.discriminator)}: every object inherits that name`,
    );
  }
  const doc = document as SchemaNode;
  const raw = (doc.$defs ?? doc.definitions) as unknown;
  if (!isNode(raw)) fail("(document)", "expected named types under `definitions` or `$defs`");
  const rawDefinitions = raw as SchemaNode;
  const names = new Map<string, string>();
  for (const original of Object.keys(rawDefinitions)) {
    const taken = [...names.values()];
    // A generic's instance reads as its name and its literal arguments; spelt out in full where that is taken.
    const readable = genericIdentifier(original);
    const name = readable !== undefined && !taken.includes(readable) ? readable : identifierFor(original);
    if (taken.includes(name)) {
      fail(original, `its name clashes with another type once made an identifier (${name})`);
    }
    names.set(original, name);
  }
  const reader = new ShapeReader(names, fail);
  const definitions = new Map<string, Definition>();
  for (const [original, name] of names) {
    if (original === options.serverType || original === options.clientType) continue;
    definitions.set(name, { name, shape: reader.read(withoutRequestKeywords(rawDefinitions[original]), original) });
  }
  const direction = (side: "server" | "client", typeName: string): DirectionModel => {
    const node = exclusiveAsAny(rawDefinitions[typeName]);
    if (node === undefined) {
      fail(
        typeName,
        `no ${side} message union: export a type named ${typeName} (the union of every message a ${side} sends), or name another one in the configuration`,
      );
    }
    const variants: MessageVariant[] = [];
    const members = messagesOf(reader.read(node, typeName), definitions);
    const candidates = discriminatorCandidates(members, definitions).filter((c) => c !== options.discriminator);
    const hint = candidates.length > 0
      ? `; or, since every message of the union has a string-literal ${
        candidates.map((c) => JSON.stringify(c)).join(" and ")
      }, make that the discriminator (\`"discriminator": ${JSON.stringify(candidates[0])}\` in the configuration, ` +
        `\`--discriminator ${candidates[0]}\` on the command line)`
      : "; or name the protocol's discriminating property with `discriminator` in the configuration " +
        "(`--discriminator <property>` on the command line)";
    for (const member of members) {
      if (member.kind !== "ref") {
        fail(
          typeName,
          `every member of the ${side} union must be a named type; give each message its own exported interface`,
        );
      } else {
        const tag = variantTag(
          member.name,
          definitions,
          options.discriminator,
          (where, why) => fail(where, why + hint),
        );
        if (variants.some((v) => v.tag === tag)) {
          fail(
            typeName,
            `two messages share ${options.discriminator} ${
              JSON.stringify(tag)
            }; each message of a direction needs its own`,
          );
        }
        variants.push({ tag, definition: member.name });
      }
    }
    return { side, typeName: names.get(typeName) ?? typeName, variants, ...describe(node) };
  };
  const server = direction("server", options.serverType);
  const client = direction("client", options.clientType);
  for (const root of [options.serverType, options.clientType]) {
    if (reader.referenced.has(names.get(root) ?? root)) {
      fail(root, "a direction union cannot also be used inside a message");
    }
  }
  const context = {
    raw: rawDefinitions,
    names,
    definitions,
    server,
    client,
    discriminator: options.discriminator,
    fail,
  };
  const requests = readRequests(context);
  const resume = options.resume === undefined
    ? undefined
    : readResume({ ...context, property: options.resume, requests });
  return {
    name: options.name,
    source: options.source,
    discriminator: options.discriminator,
    subprotocols: options.subprotocols,
    definitions,
    server,
    client,
    ...(requests.length > 0 && { requests }),
    ...(resume !== undefined && { resume }),
  };
}

/** A message's definition without the keywords that declare it a request (`./requests.ts` reads them). */
function withoutRequestKeywords(node: unknown): unknown {
  if (!isNode(node) || !REQUEST_KEYWORDS.some((keyword) => keyword in node)) return node;
  return Object.fromEntries(
    Object.entries(node).filter(([key]) => !(REQUEST_KEYWORDS as readonly string[]).includes(key)),
  );
}

/**
 * A direction's union may be written with `oneOf`: its members are messages with distinct discriminator values
 * (checked below), so exactly one can match, and `anyOf` validates the same.
 */
function exclusiveAsAny(node: unknown): unknown {
  if (!isNode(node) || node.oneOf === undefined || node.anyOf !== undefined) return node;
  const { oneOf, ...rest } = node;
  return { ...rest, anyOf: oneOf };
}

/** The members of a direction union, with unions of messages (such as a shared `ChatServerMessage`) flattened. */
function messagesOf(shape: Shape, definitions: ReadonlyMap<string, Definition>): Shape[] {
  if (shape.kind === "union") return shape.members.flatMap((m) => messagesOf(m, definitions));
  if (shape.kind === "ref") {
    const target = definitions.get(shape.name)?.shape;
    if (target?.kind === "union" || target?.kind === "ref") return messagesOf(target, definitions);
  }
  return [shape];
}

/** Properties that every member has, required, with one string literal: what could discriminate the union. */
function discriminatorCandidates(members: readonly Shape[], definitions: ReadonlyMap<string, Definition>): string[] {
  const literalProperties = (member: Shape): string[] => {
    const shape = resolveShape(member, definitions);
    if (shape.kind !== "object") return [];
    return shape.properties.filter((p) => {
      const tag = resolveShape(p.shape, definitions);
      return p.required && tag.kind === "literal" && tag.values.length === 1 && typeof tag.values[0] === "string";
    }).map((p) => p.name);
  };
  const [first, ...rest] = members.map(literalProperties);
  return (first ?? []).filter((name) => rest.every((names) => names.includes(name)));
}

function variantTag(
  name: string,
  definitions: ReadonlyMap<string, Definition>,
  discriminator: string,
  fail: (where: string, why: string) => never,
): string {
  const definition = definitions.get(name);
  const shape = definition && resolveShape(definition.shape, definitions);
  if (shape?.kind !== "object") return fail(name, "a message must be an object type");
  const property = shape.properties.find((p) => p.name === discriminator);
  const how = `give it a required property ${
    JSON.stringify(discriminator)
  } with one string literal type, e.g. ${discriminator}: "ping"`;
  if (property === undefined || !property.required) return fail(name, `no usable discriminator: ${how}`);
  const tag = resolveShape(property.shape, definitions);
  if (tag.kind !== "literal" || tag.values.length !== 1 || typeof tag.values[0] !== "string") {
    return fail(name, `its ${JSON.stringify(discriminator)} is not a single string literal: ${how}`);
  }
  return tag.values[0];
}

/** What to write instead of a keyword the validators do not check, where there is something to say. */
const KEYWORD_FIXES: Readonly<Record<string, string>> = {
  not: ": to forbid a property, leave it out of properties (objects are closed unless additionalProperties is " +
    "true); to exclude values, list the allowed ones with enum (in TypeScript, `never` on a required property " +
    "becomes not: remove the property, or make it optional)",
  uniqueItems: ": typewire's validators do not check that items are unique: remove it and check in your handler",
  multipleOf: ': for whole numbers use "type": "integer"; for another step, remove it and check in your handler',
  allOf: ": write the combined object out (in TypeScript, an interface that extends another is written out for you)",
};

class ShapeReader {
  /** Names of definitions referenced from inside some shape. */
  readonly referenced = new Set<string>();

  constructor(
    private readonly names: ReadonlyMap<string, string>,
    private readonly fail: (where: string, why: string) => never,
  ) {}

  read(node: unknown, where: string): Shape {
    if (node === true) return { kind: "any" };
    if (!isNode(node)) return this.fail(where, "a schema must be an object or `true`");
    const constraints = Object.keys(node).filter((key) => !ANNOTATIONS.has(key));
    const doc = describe(node);
    if (constraints.length === 0) return { kind: "any", ...doc };
    if (typeof node.$ref === "string") return { ...this.reference(node.$ref, constraints, where), ...doc };
    if (node.anyOf !== undefined) return { ...this.union(node, constraints, where), ...doc };
    for (
      const keyword of ["oneOf", "allOf", "not", "if", "patternProperties", "dependencies", "uniqueItems", "$defs"]
    ) {
      if (node[keyword] === undefined) continue;
      this.fail(
        where,
        keyword === "oneOf"
          ? "oneOf is supported only as a direction's union of messages (told apart by their discriminator); use anyOf"
          : `the keyword ${keyword} is not supported${KEYWORD_FIXES[keyword] ?? ""}`,
      );
    }
    if (node.const !== undefined || node.enum !== undefined) return { ...this.literal(node, where), ...doc };
    const types = typeof node.type === "string" ? [node.type] : node.type;
    if (!Array.isArray(types) || types.length === 0) {
      return this.fail(where, "a schema needs a `type` (or `const`, `enum`, `anyOf`, `$ref`)");
    }
    for (const key of constraints) {
      if (key !== "type" && !types.some((t) => KEYWORDS[t as string]?.has(key))) {
        this.fail(where, `the keyword ${key} is not supported here${KEYWORD_FIXES[key] ?? ""}`);
      }
    }
    const shapes = types.map((type) => this.typed(node, String(type), where));
    return shapes.length === 1 ? { ...shapes[0] as Shape, ...doc } : { kind: "union", members: shapes, ...doc };
  }

  private reference(ref: string, constraints: readonly string[], where: string): Shape {
    if (constraints.length > 1) this.fail(where, "$ref cannot be combined with other constraints");
    const match = /^#\/(?:definitions|\$defs)\/(.+)$/.exec(ref);
    const original = match ? unescapePointerSegment(decodeURIComponent(match[1] as string)) : undefined;
    const name = original === undefined ? undefined : this.names.get(original);
    if (name === undefined) {
      return this.fail(where, `cannot resolve $ref ${JSON.stringify(ref)}; only local definitions are supported`);
    }
    this.referenced.add(name);
    return { kind: "ref", name };
  }

  private union(node: SchemaNode, constraints: readonly string[], where: string): Shape {
    if (constraints.length > 1) {
      this.fail(where, "anyOf cannot be combined with other constraints; move them into its members");
    }
    if (!Array.isArray(node.anyOf) || node.anyOf.length === 0) {
      return this.fail(where, "anyOf must be a non-empty array");
    }
    return { kind: "union", members: node.anyOf.map((member, i) => this.read(member, `${where}.anyOf[${i}]`)) };
  }

  private literal(node: SchemaNode, where: string): Shape {
    const values: unknown[] = node.const !== undefined ? [node.const] : Array.isArray(node.enum) ? node.enum : [];
    if (values.length === 0) this.fail(where, "enum must be a non-empty array");
    for (const value of values) {
      if (value !== null && typeof value === "object") {
        this.fail(where, "const and enum values must be strings, numbers, booleans or null");
      }
      if (typeof value === "number" && !Number.isFinite(value)) {
        this.fail(where, "const and enum numbers must be finite");
      }
    }
    const allowedBeside = new Set(["const", "enum", "type"]);
    for (const key of Object.keys(node)) {
      if (!ANNOTATIONS.has(key) && !allowedBeside.has(key)) {
        this.fail(where, `the keyword ${key} cannot be combined with const or enum`);
      }
    }
    return { kind: "literal", values: values as Literal[] };
  }

  private typed(node: SchemaNode, type: string, where: string): Shape {
    switch (type) {
      case "string":
        return {
          kind: "string",
          ...this.count(node, "minLength", where),
          ...this.count(node, "maxLength", where),
          ...this.pattern(node, where),
        };
      case "integer":
      case "number":
        return {
          kind: "number",
          integer: type === "integer",
          ...this.bound(node, "minimum", where),
          ...this.bound(node, "maximum", where),
          ...this.bound(node, "exclusiveMinimum", where),
          ...this.bound(node, "exclusiveMaximum", where),
        };
      case "boolean":
        return { kind: "boolean" };
      case "null":
        return { kind: "null" };
      case "array":
        if (Array.isArray(node.items)) this.fail(where, "tuple arrays (items as a list) are not supported");
        return {
          kind: "array",
          items: node.items === undefined ? { kind: "any" } : this.read(node.items, `${where}.items`),
          ...this.count(node, "minItems", where),
          ...this.count(node, "maxItems", where),
        };
      case "object":
        return this.object(node, where);
      default:
        return this.fail(where, `unknown type ${JSON.stringify(type)}`);
    }
  }

  private object(node: SchemaNode, where: string): Shape {
    const extra = node.additionalProperties;
    if (extra !== undefined && typeof extra !== "boolean") {
      this.fail(where, "additionalProperties must be true or false; index signatures are not supported");
    }
    const declared = node.properties ?? {};
    if (!isNode(declared)) return this.fail(where, "properties must be an object");
    const required = node.required ?? [];
    if (!Array.isArray(required) || required.some((r) => typeof r !== "string")) {
      return this.fail(where, "required must be a list of property names");
    }
    const properties: Property[] = Object.entries(declared).map(([name, schema]) => ({
      name,
      required: required.includes(name),
      shape: this.read(schema, `${where}.${name}`),
    }));
    for (const name of required as string[]) {
      if (!(name in declared)) properties.push({ name, required: true, shape: { kind: "any" } });
    }
    return { kind: "object", properties, closed: extra !== true };
  }

  private count(node: SchemaNode, key: string, where: string): Record<string, number> {
    const value = node[key];
    if (value === undefined) return {};
    if (!Number.isSafeInteger(value) || (value as number) < 0) {
      this.fail(where, `${key} must be a non-negative integer`);
    }
    return { [key]: value as number };
  }

  private bound(node: SchemaNode, key: string, where: string): Record<string, number> {
    const value = node[key];
    if (value === undefined) return {};
    if (typeof value !== "number" || !Number.isFinite(value)) this.fail(where, `${key} must be a finite number`);
    return { [key]: value as number };
  }

  private pattern(node: SchemaNode, where: string): { pattern?: string } {
    const value = node.pattern;
    if (value === undefined) return {};
    if (typeof value !== "string") return this.fail(where, "pattern must be a string");
    try {
      new RegExp(value, "u");
    } catch (error) {
      this.fail(where, `pattern is not a valid regular expression: ${(error as Error).message}`);
    }
    return { pattern: value };
  }
}

function isNode(value: unknown): value is SchemaNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function describe(node: unknown): { description?: string } {
  const text = isNode(node) ? node.description : undefined;
  return typeof text === "string" && text.trim() !== "" ? { description: text.trim() } : {};
}

/**
 * The identifier of a generic's instance, from its name and the arguments that are literals or named types:
 * `Reply<"room_created",structure--205-220...>` (an object literal argument, which ts-json-schema-generator names by
 * its place in the file) becomes `ReplyRoomCreated`. `undefined` for a name that is not a generic's instance.
 */
function genericIdentifier(name: string): string | undefined {
  const generic = /^([A-Za-z_$][A-Za-z0-9_$]*)<(.*)>$/.exec(name);
  if (generic === null) return undefined;
  const words = (generic[2] as string).split(",").map((argument) => argument.trim())
    .filter((argument) => !argument.startsWith("structure-"))
    .flatMap((argument) => argument.split(/[^A-Za-z0-9]+/))
    .filter((word) => word !== "")
    .map((word) => word[0]!.toUpperCase() + word.slice(1));
  return `${generic[1]}${words.join("")}`;
}

/** Turns a definition name such as `Box<string>` into an identifier (`Box_string`). */
function identifierFor(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9_$]+/g, "_").replace(/^_+|_+$/g, "");
  return /^[A-Za-z_$]/.test(cleaned) ? cleaned : `T_${cleaned}`;
}
