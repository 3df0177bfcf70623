/**
 * Requests and their replies, as a JSON Schema declares them: on a message's
 * definition, `x-reply` (the types of the other direction that answer it),
 * `x-error-reply` (those that answer it with an error) and `x-correlation`
 * (the property whose value pairs a reply with its request). TypeScript's
 * `@reply`, `@errorReply` and `@correlation` tags and AsyncAPI's `reply` and
 * `correlationId` become these keywords before they get here.
 *
 * @module
 */
import { type Definition, type DirectionModel, type RequestModel, resolveShape, type Shape } from "./model.ts";

/** The keywords of a request, on its message's definition. */
export const REQUEST_KEYWORDS = ["x-reply", "x-error-reply", "x-correlation"] as const;

type SchemaNode = Readonly<Record<string, unknown>>;

/** What the reader needs to find and check requests. */
export interface RequestContext {
  /** The raw definitions, by their names in the document. */
  readonly raw: SchemaNode;
  /** Each definition's name in the document, and the identifier the model uses. */
  readonly names: ReadonlyMap<string, string>;
  readonly definitions: ReadonlyMap<string, Definition>;
  readonly server: DirectionModel;
  readonly client: DirectionModel;
  readonly discriminator: string;
  readonly fail: (where: string, why: string) => never;
}

/**
 * Reads every request a schema declares, and checks it: each reply is a message of the other direction, the
 * correlation property is a required string or integer of the request and of every reply.
 *
 * @param context The document's definitions and directions.
 * @returns The requests, in the order of their definitions; none when the schema declares none.
 * @throws {SchemaError} Through `context.fail`, naming the definition and the fix.
 * @example
 * ```ts
 * import { readRequests } from "./requests.ts";
 * declare const context: import("./requests.ts").RequestContext;
 * const requests = readRequests(context); // e.g. [{ side: "client", tag: "status", replies: ["status"], ... }]
 * ```
 */
export function readRequests(context: RequestContext): RequestModel[] {
  const { raw, names, fail } = context;
  const requests: RequestModel[] = [];
  for (const [original, node] of Object.entries(raw)) {
    if (!isNode(node) || !REQUEST_KEYWORDS.some((keyword) => keyword in node)) continue;
    const name = names.get(original) ?? original;
    const found = messageOf(context, name, original);
    const other = found.side === "client" ? context.server : context.client;
    const sender = found.side === "client" ? "the server" : "a client";
    const replies = tagList(context, node["x-reply"], original, "x-reply");
    const errors = node["x-error-reply"] === undefined
      ? []
      : tagList(context, node["x-error-reply"], original, "x-error-reply");
    const both = replies.find((tag) => errors.includes(tag));
    if (both !== undefined) {
      fail(original, `${JSON.stringify(both)} is in both x-reply and x-error-reply: list each answer once`);
    }
    for (const tag of [...replies, ...errors]) {
      if (other.variants.some((v) => v.tag === tag)) continue;
      const named = other.variants.find((v) => v.definition === tag);
      if (named !== undefined) {
        fail(
          original,
          `the reply ${JSON.stringify(tag)} names a type, where replies are listed by message type: list ` +
            `${JSON.stringify(named.tag)} (its ${JSON.stringify(context.discriminator)}) instead`,
        );
      } else {
        fail(
          original,
          `the reply ${JSON.stringify(tag)} is not a message ${sender} sends; ${sender} sends ${
            other.variants.map((v) => JSON.stringify(v.tag)).join(", ")
          }: reply with one of those, or add ${JSON.stringify(tag)} to ${other.typeName}`,
        );
      }
    }
    const correlation = node["x-correlation"];
    if (typeof correlation !== "string" || correlation === "") {
      return fail(
        original,
        "a request needs x-correlation (@correlation in TypeScript): the name of a required string or integer " +
          "property that the request and each reply carry, which typewire fills in to pair them",
      );
    }
    if (correlation === context.discriminator) {
      fail(
        original,
        `x-correlation cannot be the discriminator ${JSON.stringify(correlation)}: name a property of its own, ` +
          "which typewire fills in",
      );
    }
    const kind = correlationKind(context, found.definition, correlation, original, "this request");
    for (const tag of [...replies, ...errors]) {
      const reply = other.variants.find((v) => v.tag === tag)!;
      const replyKind = correlationKind(
        context,
        reply.definition,
        correlation,
        reply.definition,
        `request ${original}`,
      );
      if (replyKind !== kind) {
        fail(
          reply.definition,
          `its ${JSON.stringify(correlation)} is ${replyKind === "integer" ? "an integer" : "a string"} but the ` +
            `request ${original}'s is ${kind === "integer" ? "an integer" : "a string"}: give both the same type`,
        );
      }
    }
    requests.push({ side: found.side, tag: found.tag, replies, errors, correlation, correlationKind: kind });
  }
  sharedAnswers(context, requests);
  return requests;
}

/** Refuses an answer type shared by requests of one side that pair by different properties. */
function sharedAnswers(context: RequestContext, requests: readonly RequestModel[]): void {
  const seen = new Map<string, RequestModel>();
  for (const request of requests) {
    for (const tag of [...request.replies, ...request.errors]) {
      const key = `${request.side} ${tag}`;
      const other = seen.get(key);
      if (other !== undefined && other.correlation !== request.correlation) {
        context.fail(
          tag,
          `it answers ${JSON.stringify(other.tag)} (paired by ${JSON.stringify(other.correlation)}) and ` +
            `${JSON.stringify(request.tag)} (paired by ${JSON.stringify(request.correlation)}): give both requests ` +
            "the same correlation property, or each its own answer type",
        );
      }
      seen.set(key, request);
    }
  }
}

/** The direction message a definition with request keywords is: by its discriminator value. */
function messageOf(
  context: RequestContext,
  name: string,
  original: string,
): { side: "client" | "server"; tag: string; definition: string } {
  const tag = tagOf(context, name);
  const sides = (["client", "server"] as const).filter((side) =>
    context[side].variants.some((v) => v.tag === tag && sameMessage(context, v.definition, name))
  );
  if (tag === undefined || sides.length === 0) {
    return context.fail(
      original,
      "x-reply, x-error-reply and x-correlation belong on a message that the client or the server union lists",
    );
  }
  if (sides.length > 1) {
    return context.fail(original, "a message both sides send cannot be a request: give each side its own message");
  }
  const side = sides[0]!;
  return { side, tag, definition: context[side].variants.find((v) => v.tag === tag)!.definition };
}

/** Whether a variant's definition is the named one, or the named one refers to it. */
function sameMessage(context: RequestContext, variant: string, name: string): boolean {
  let current: string | undefined = name;
  for (let hops = 0; current !== undefined && hops <= context.definitions.size; hops++) {
    if (current === variant) return true;
    const shape: Shape | undefined = context.definitions.get(current)?.shape;
    current = shape?.kind === "ref" ? shape.name : undefined;
  }
  return false;
}

/** A definition's discriminator value, when it is an object whose discriminator is one string literal. */
function tagOf(context: RequestContext, name: string | undefined): string | undefined {
  const shape = name === undefined ? undefined : context.definitions.get(name)?.shape;
  const resolved = shape === undefined ? undefined : resolveShape(shape, context.definitions);
  const property = resolved?.kind === "object"
    ? resolved.properties.find((p) => p.name === context.discriminator)
    : undefined;
  const tag = property === undefined ? undefined : resolveShape(property.shape, context.definitions);
  return tag?.kind === "literal" && tag.values.length === 1 && typeof tag.values[0] === "string"
    ? tag.values[0]
    : undefined;
}

/** Whether a message's correlation property is a required string or integer; refuses it otherwise. */
function correlationKind(
  context: RequestContext,
  definition: string,
  correlation: string,
  where: string,
  whose: string,
): "string" | "integer" {
  const shape = resolveShape(context.definitions.get(definition)!.shape, context.definitions);
  const property = shape.kind === "object" ? shape.properties.find((p) => p.name === correlation) : undefined;
  if (property === undefined) {
    return context.fail(
      where,
      `no property ${JSON.stringify(correlation)}, the correlation of ${whose}: add ` +
        `${correlation}: string (or an integer) to it, required`,
    );
  }
  if (!property.required) {
    return context.fail(
      where,
      `its correlation property ${
        JSON.stringify(correlation)
      } is optional: make it required (typewire always fills it in)`,
    );
  }
  const type = resolveShape(property.shape, context.definitions);
  const at = `${where}.${correlation}`;
  if (type.kind !== "string" && !(type.kind === "number" && type.integer)) {
    return context.fail(
      at,
      "a correlation property must be a string or an integer (typewire fills it in with a value unique per " +
        "connection); in TypeScript, tag a number `@asType integer`",
    );
  }
  const refused = refusedCount(type);
  if (refused !== undefined) {
    return context.fail(
      at,
      `typewire numbers requests 1, 2, 3... (as ${type.kind === "string" ? "decimal strings" : "integers"}), ` +
        `and this property refuses ${refused}: loosen or drop its bounds`,
    );
  }
  return type.kind === "string" ? "string" : "integer";
}

/** The number typewire counts to that a correlation's schema would refuse, if it refuses one of the first 2^31 - 1. */
function refusedCount(type: Shape): string | undefined {
  const last = 2 ** 31 - 1;
  if (type.kind === "number") {
    if ((type.minimum ?? 1) > 1 || (type.exclusiveMinimum ?? 0) >= 1) return "1, the first";
    const maximum = Math.min(type.maximum ?? Infinity, (type.exclusiveMaximum ?? Infinity) - 1);
    return maximum < last ? `${Math.floor(maximum) + 1}, the request after ${Math.floor(maximum)}` : undefined;
  }
  if (type.kind !== "string") return undefined;
  for (const value of ["1", String(last)]) {
    const tooShort = value.length < (type.minLength ?? 0);
    const tooLong = value.length > (type.maxLength ?? Infinity);
    if (tooShort || tooLong || (type.pattern !== undefined && !new RegExp(type.pattern, "u").test(value))) {
      return JSON.stringify(value);
    }
  }
  return undefined;
}

/**
 * A list of message types: an array of types (strings) or of `$ref`s to message definitions, or one string of types
 * separated by spaces, commas or `|`.
 */
function tagList(context: RequestContext, value: unknown, where: string, keyword: string): string[] {
  const list = typeof value === "string" ? value.split(/[\s,|]+/).filter((tag) => tag !== "") : value;
  const usage = `${keyword} must name the message types that answer this request: a list of strings, e.g. ` +
    `["done", "failed"], or of references to their definitions`;
  if (!Array.isArray(list) || list.length === 0) return context.fail(where, usage);
  const tags = list.map((entry) => {
    if (typeof entry === "string" && entry !== "") return entry;
    const ref = isNode(entry) && typeof entry.$ref === "string"
      ? /^#\/(?:definitions|\$defs)\/(.+)$/.exec(entry.$ref)
      : null;
    const tag = tagOf(context, ref === null ? undefined : context.names.get(decodeURIComponent(ref[1]!)));
    return tag ?? context.fail(where, `${usage}; ${JSON.stringify(entry)} is neither`);
  });
  return [...new Set(tags)];
}

function isNode(value: unknown): value is SchemaNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
