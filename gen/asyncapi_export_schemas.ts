/**
 * The JSON Schema half of the AsyncAPI export (`./asyncapi_export.ts`): a
 * protocol's definitions as AsyncAPI component schemas, under the model's
 * names, with references rewritten into `#/components/schemas/`, and the names
 * the AsyncAPI reader (`./asyncapi.ts`) will give each message.
 *
 * @module
 */
import { SchemaError } from "./errors.ts";
import type { ProtocolModel } from "./model.ts";
import { pascalCase } from "./names.ts";
import { REQUEST_KEYWORDS } from "./requests.ts";
import { unescapePointerSegment } from "./json_pointer.ts";

/** A JSON object. */
export type Node = Record<string, unknown>;

/** The definitions, ready for `components/schemas`. */
export interface ComponentSchemas {
  /** Each definition's schema by its model name, in definition order; request keywords removed, references rewritten. */
  readonly schemas: ReadonlyMap<string, Node>;
  /** The definitions some definition refers to (possibly itself). */
  readonly referenced: ReadonlySet<string>;
  /** The definitions whose schema is a bare reference (`{ "$ref": ... }`, request keywords aside). */
  readonly bareReferences: ReadonlySet<string>;
}

/** The keys AsyncAPI allows in `components`. */
const COMPONENT_KEY = /^[A-Za-z0-9.\-_]+$/;

/**
 * Whether a value is a JSON object (not an array, not null).
 *
 * @param value Any value.
 * @returns `true` for `{}`, `false` for `[]` and `null`.
 * @example
 * ```ts
 * import { isNode } from "./asyncapi_export_schemas.ts";
 * isNode({ type: "object" }); // true
 * ```
 */
export const isNode = (value: unknown): value is Node =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * Reads the definitions of the JSON Schema a model was read from, pairing each with its model name.
 *
 * @param model The protocol.
 * @param document The JSON Schema the model was read from (`readProtocol`'s `document`).
 * @returns The component schemas, and which definitions are referred to.
 * @throws {SchemaError} For a reference that is not to a named definition, or a name AsyncAPI cannot use.
 * @example
 * ```ts
 * import { componentSchemas } from "./asyncapi_export_schemas.ts";
 * import { parseConfig } from "./config.ts";
 * import { readProtocol } from "./generate.ts";
 * const [rooms] = parseConfig({ protocols: [{ schema: "tests/fixtures/rooms.ts", output: "out/rooms.ts" }] }, "inline")
 *   .protocols;
 * const { model, document } = await readProtocol(rooms!);
 * componentSchemas(model, document).schemas.get("Say"); // { type: "object", properties: { ... }, ... }
 * ```
 */
export function componentSchemas(model: ProtocolModel, document: Readonly<Node>): ComponentSchemas {
  const fail = (where: string, why: string): never => {
    throw new SchemaError(model.source, where, why);
  };
  const raw = document.$defs ?? document.definitions;
  if (!isNode(raw)) return fail("(document)", "expected named types under `definitions` or `$defs`");
  // The reader keeps every definition but the two direction unions, in document order, renamed to identifiers.
  const directions = new Set([model.server.typeName, model.client.typeName]);
  const keys = Object.keys(raw).filter((key) => !directions.has(key));
  const names = [...model.definitions.keys()];
  if (keys.length !== names.length) {
    fail("(document)", "the JSON Schema's definitions do not match the model's: pass the document it was read from");
  }
  const nameOf = new Map(keys.map((key, i) => [key, names[i]!]));
  const referenced = new Set<string>();
  const rewrite = (schema: unknown, where: string): unknown => {
    if (Array.isArray(schema)) return schema.map((item, i) => rewrite(item, `${where}/${i}`));
    if (!isNode(schema)) return schema;
    const out: Node = {};
    for (const [key, value] of Object.entries(schema)) {
      if (key === "$ref" && typeof value === "string") {
        const match = /^#\/(?:definitions|\$defs)\/([^/]+)$/.exec(value);
        const original = match === null ? undefined : unescapePointerSegment(decodeURIComponent(match[1]!));
        const name = original === undefined ? undefined : nameOf.get(original);
        if (name === undefined) return fail(where, `only references to named types are exported, not ${value}`);
        referenced.add(name);
        out.$ref = `#/components/schemas/${name}`;
      } else out[key] = rewrite(value, `${where}/${key}`);
    }
    return out;
  };
  const schemas = new Map<string, Node>();
  const bareReferences = new Set<string>();
  for (const [key, name] of nameOf) {
    if (!COMPONENT_KEY.test(name)) fail(key, `AsyncAPI names components with letters, digits, ".", "-", "_" only`);
    const node = raw[key];
    const own = isNode(node)
      ? Object.fromEntries(Object.entries(node).filter(([k]) => !(REQUEST_KEYWORDS as readonly string[]).includes(k)))
      : node;
    if (isNode(own) && Object.keys(own).length === 1 && typeof own.$ref === "string") bareReferences.add(name);
    schemas.set(name, rewrite(own, key) as Node);
  }
  return { schemas, referenced, bareReferences };
}

/**
 * The type name the AsyncAPI reader gives a message of this `name`: its PascalCase, ending in `Message`.
 *
 * @param name A message's `name`, e.g. `unknown-job`.
 * @returns E.g. `UnknownJobMessage`; `IdMessage` for `IdMessage`.
 * @example
 * ```ts
 * import { readerTypeName } from "./asyncapi_export_schemas.ts";
 * readerTypeName("unknown-job"); // "UnknownJobMessage"
 * ```
 */
export function readerTypeName(name: string): string {
  const pascal = pascalCase(name);
  return pascal.endsWith("Message") ? pascal : `${pascal}Message`;
}

/**
 * A payload schema naming its discriminator, as AsyncAPI Schema Objects do (and `./asyncapi.ts` reads).
 *
 * @param schema A message type's schema.
 * @param discriminator The property naming each message's type.
 * @returns A copy, with `discriminator` right after `type` (first, without `type`).
 * @example
 * ```ts
 * import { withDiscriminator } from "./asyncapi_export_schemas.ts";
 * withDiscriminator({ type: "object", required: ["op"] }, "op"); // { type: "object", discriminator: "op", required: ["op"] }
 * ```
 */
export function withDiscriminator(schema: Node, discriminator: string): Node {
  const entries = Object.entries(schema).filter(([key]) => key !== "discriminator");
  const at = entries.findIndex(([key]) => key === "type") + 1;
  entries.splice(at, 0, ["discriminator", discriminator]);
  return Object.fromEntries(entries);
}

/**
 * A key AsyncAPI accepts for a component, channel or operation: letters, digits, `.`, `-`, `_`.
 *
 * @param name Any name.
 * @returns The name, each run of other characters replaced by `_`.
 * @example
 * ```ts
 * import { componentKey } from "./asyncapi_export_schemas.ts";
 * componentKey("web rtc"); // "web_rtc"
 * ```
 */
export function componentKey(name: string): string {
  return name.replace(/[^A-Za-z0-9.\-_]+/g, "_");
}
