/**
 * Resumable messages: with the `resume` option (`"resume": "pos"` in the
 * configuration, `--resume pos` on the command line), the server messages that
 * declare that property are resumable. The server fills it in with a token
 * (`position:topic`), the client keeps the last one of each topic and, when it
 * reconnects, asks for what it missed. The property is checked here: optional,
 * a plain string roomy enough for a token, on server messages only, and no
 * other property of typewire's.
 *
 * @module
 */
import { expectedText } from "./describe.ts";
import { type RequestModel, resolveShape, type ResumeModel, type Shape } from "./model.ts";
import { MAX_TOKEN_LENGTH, RESUMED_TYPE } from "../src/runtime/resume_tokens.ts";
import type { RequestContext } from "./requests.ts";
import { unescapePointerSegment } from "./json_pointer.ts";

type SchemaNode = Readonly<Record<string, unknown>>;

/** The properties of typewire's resume notice, which the discriminator may not be. */
const NOTICE_PROPERTIES = ["topic", "resumed", "replayed", "reason", "message"];

/** A token is at least `p:` long; a `minLength` above this could refuse short ones. */
const SHORTEST_ALLOWED_MIN_LENGTH = 3;

/** What the reader needs to find and check the resume property: what requests need, and the requests. */
export interface ResumeContext extends RequestContext {
  /** The option's value: the property that carries the token. */
  readonly property: string;
  readonly requests: readonly RequestModel[];
}

/**
 * Finds the resumable messages and checks their property: optional, a plain string (no pattern, format, enum or
 * const, `maxLength` at least 1024, `minLength` at most 3), neither the discriminator nor a request's correlation
 * property, and declared by no message a client sends.
 *
 * @param context The document's definitions and directions, and the option's value.
 * @returns The property and the resumable server message types, in the order of the server union.
 * @throws {SchemaError} Through `context.fail`, naming the type, the property and the fix.
 * @example
 * ```ts
 * import { readResume } from "./resume.ts";
 * declare const context: import("./resume.ts").ResumeContext;
 * const resume = readResume(context); // e.g. { property: "pos", types: ["entry"] }
 * ```
 */
export function readResume(context: ResumeContext): ResumeModel {
  const { property, discriminator, fail } = context;
  const name = JSON.stringify(property);
  if (property === discriminator) {
    fail(
      "(options)",
      `the resume property cannot be the discriminator ${name}: name a property of its own, which typewire fills in`,
    );
  }
  if (NOTICE_PROPERTIES.includes(discriminator)) {
    fail(
      "(options)",
      `with resume, the discriminator cannot be ${JSON.stringify(discriminator)}: typewire's resume notice ` +
        `({"${discriminator}": "${RESUMED_TYPE}", "topic": ..., "resumed": ...}) has a property of that name; ` +
        "name another discriminator",
    );
  }
  const request = context.requests.find((r) => r.correlation === property);
  if (request !== undefined) {
    fail(
      "(options)",
      `the resume property cannot be ${name}, the correlation property of the request ${
        JSON.stringify(request.tag)
      }: name a property of its own, which typewire fills in`,
    );
  }
  for (const variant of context.client.variants) {
    if (declared(context, variant.definition) === undefined) continue;
    fail(
      variant.definition,
      `a client message declares the resume property ${name}, and clients never send positions (typewire's client ` +
        `carries them in the URL when it reconnects): remove ${property} from ${variant.definition}, or give the ` +
        "server its own message",
    );
  }
  const notice = context.server.variants.find((v) => v.tag === RESUMED_TYPE);
  if (notice !== undefined) {
    fail(
      notice.definition,
      `its ${JSON.stringify(discriminator)} ${JSON.stringify(RESUMED_TYPE)} names typewire's resume notice: give ` +
        "the message another",
    );
  }
  const types: string[] = [];
  for (const variant of context.server.variants) {
    const found = declared(context, variant.definition);
    if (found === undefined) continue;
    if (found.required) {
      fail(
        variant.definition,
        `its resume property ${name} is required: make it optional (${property}?: string), since the server fills ` +
          "it in and the application leaves it out",
      );
    }
    const refused = notPlainString(context, variant.definition, found.shape);
    if (refused !== undefined) {
      fail(
        `${variant.definition}.${property}`,
        `a resume property must be a plain string, which typewire fills in with a token (position:topic, up to ` +
          `${MAX_TOKEN_LENGTH} characters), and this one ${refused}`,
      );
    }
    types.push(variant.tag);
  }
  if (types.length === 0) {
    fail(
      context.server.typeName,
      `no server message declares the resume property ${name}: add ${property}?: string to each message a server ` +
        "sends whose topic clients resume (typewire fills it in), or drop the resume option",
    );
  }
  return { property, types };
}

/** The message's resume property, when it declares one. */
function declared(
  context: ResumeContext,
  definition: string,
): { readonly required: boolean; readonly shape: Shape } | undefined {
  const shape = resolveShape(context.definitions.get(definition)!.shape, context.definitions);
  return shape.kind === "object" ? shape.properties.find((p) => p.name === context.property) : undefined;
}

/** Why a property's shape is no plain string that takes every token, with the fix; `undefined` when it is one. */
function notPlainString(context: ResumeContext, definition: string, declaredShape: Shape): string | undefined {
  const shape = resolveShape(declaredShape, context.definitions);
  if (shape.kind === "literal") return "is a fixed value (enum or const): make it string";
  if (shape.kind !== "string") return `is ${expectedText(shape, context.definitions)}: make it string`;
  if (shape.pattern !== undefined) return `has a pattern (/${shape.pattern}/): drop it`;
  const format = formatOf(context, definition);
  if (format !== undefined) return `has a format (${JSON.stringify(format)}): drop it`;
  if (shape.maxLength !== undefined && shape.maxLength < MAX_TOKEN_LENGTH) {
    return `has a maxLength of ${shape.maxLength}: drop it, or raise it to at least ${MAX_TOKEN_LENGTH}`;
  }
  if (shape.minLength !== undefined && shape.minLength > SHORTEST_ALLOWED_MIN_LENGTH) {
    return `has a minLength of ${shape.minLength}: drop it, or lower it to at most ${SHORTEST_ALLOWED_MIN_LENGTH}`;
  }
  return undefined;
}

/**
 * The `format` of a message's resume property in the document, following local references from the message to the
 * property's type (the model keeps `format` only as documentation).
 */
function formatOf(context: ResumeContext, definition: string): unknown {
  const originals = new Map([...context.names].map(([original, name]) => [name, original]));
  const follow = (node: unknown, visit?: (node: SchemaNode) => void): SchemaNode | undefined => {
    let current = node;
    for (let hops = 0; isNode(current) && hops <= context.names.size; hops++) {
      visit?.(current);
      const ref = typeof current.$ref === "string" ? /^#\/(?:definitions|\$defs)\/(.+)$/.exec(current.$ref) : null;
      if (ref === null) return current;
      const original = unescapePointerSegment(decodeURIComponent(ref[1]!));
      current = context.raw[original];
    }
    return undefined;
  };
  const message = follow(context.raw[originals.get(definition) ?? definition]);
  const properties = message?.properties;
  let format: unknown;
  follow(isNode(properties) ? properties[context.property] : undefined, (node) => {
    if (node.format !== undefined) format ??= node.format;
  });
  return format;
}

function isNode(value: unknown): value is SchemaNode {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
