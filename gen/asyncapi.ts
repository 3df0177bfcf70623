/**
 * Reads an AsyncAPI 3 document into a JSON Schema document the generator
 * reads like any other: each message payload becomes a named type, and the
 * `send` and `receive` operations become the two direction unions. An
 * operation's `reply` makes its messages requests (`x-reply`, and
 * `x-error-reply` for reply messages marked `x-error: true`), paired by the
 * request message's `correlationId` (`x-correlation`: see `./requests.ts`).
 * A message's `x-type` names its type (when its payload is the component
 * schema of that name, the type is that schema, with no alias); a component
 * schema named as a direction's union gives that union its description.
 *
 * @module
 */
import { SchemaError } from "./errors.ts";
import { unescapePointerSegment } from "./json_pointer.ts";

/** Which application the AsyncAPI document describes. */
export type Perspective = "server" | "client";

/** What the conversion gives: the JSON Schema, and the discriminator the document names, if any. */
export interface AsyncApiSchema {
  readonly document: Record<string, unknown>;
  /** From the payloads' `discriminator` keyword, when they agree on one. */
  readonly discriminator: string | undefined;
}

type Node = Record<string, unknown>;

const isNode = (value: unknown): value is Node => typeof value === "object" && value !== null && !Array.isArray(value);

/** AsyncAPI Schema Object keywords that JSON Schema does not have: documentation, or the discriminator we read. */
const ASYNCAPI_ONLY = new Set(["discriminator", "externalDocs", "deprecated", "example"]);

/** Whether a parsed document is AsyncAPI (it has an `asyncapi` version field). */
export function isAsyncApi(document: unknown): boolean {
  return isNode(document) && "asyncapi" in document;
}

/**
 * Converts an AsyncAPI 3 document.
 *
 * @param document The parsed document (JSON or YAML).
 * @param label How errors name the file.
 * @param describes Which side the document describes: its `send` operations are what that side sends.
 * @param serverType The name given to the union of what a server sends.
 * @param clientType The name given to the union of what a client sends.
 * @returns A JSON Schema document with `$defs`, and the document's discriminator.
 * @throws {SchemaError} For a document that is not AsyncAPI 3, an external `$ref`, or a message without a payload.
 * @example
 * ```ts
 * import { schemaFromAsyncApi } from "./asyncapi.ts";
 * const { document } = schemaFromAsyncApi({
 *   asyncapi: "3.0.0",
 *   channels: { jobs: { messages: { done: { payload: {
 *     type: "object", properties: { kind: { const: "done" } }, required: ["kind"] } } } } },
 *   operations: { sendDone: { action: "send", channel: { $ref: "#/channels/jobs" } } },
 * }, "jobs.asyncapi.json", "server", "ServerMessage", "ClientMessage");
 * ```
 */
export function schemaFromAsyncApi(
  document: unknown,
  label: string,
  describes: Perspective,
  serverType: string,
  clientType: string,
): AsyncApiSchema {
  const fail = (where: string, why: string): never => {
    throw new SchemaError(label, where, why);
  };
  if (!isNode(document)) return fail("(document)", "an AsyncAPI document must be an object");
  const version = String(document.asyncapi);
  if (!version.startsWith("3.")) {
    fail("asyncapi", `only AsyncAPI 3 documents are read (this one is ${version}); AsyncAPI's converter upgrades 2.x`);
  }
  const resolve = (value: unknown, where: string): unknown => {
    if (!isNode(value) || typeof value.$ref !== "string") return value;
    const ref = value.$ref;
    if (!ref.startsWith("#/")) return fail(where, `only references inside the document are read, not ${ref}`);
    let node: unknown = document;
    for (const part of ref.slice(2).split("/")) {
      node = isNode(node) ? node[unescapePointerSegment(part)] : undefined;
    }
    if (node === undefined) fail(where, `${ref} points at nothing`);
    return resolve(node, ref);
  };

  const defs: Node = {};
  const components = isNode(document.components) ? document.components : {};
  const schemas = isNode(components.schemas) ? components.schemas : {};
  const discriminators = new Set<string>();
  const strip = (schema: unknown, where: string): unknown => {
    if (Array.isArray(schema)) return schema.map((item, i) => strip(item, `${where}/${i}`));
    if (!isNode(schema)) return schema;
    const out: Node = {};
    for (const [key, value] of Object.entries(schema)) {
      if (key === "discriminator" && typeof value === "string") discriminators.add(value);
      if (ASYNCAPI_ONLY.has(key) || key.startsWith("x-")) continue;
      if (key === "$ref" && typeof value === "string") {
        const match = /^#\/components\/schemas\/([^/]+)$/.exec(value);
        if (match === null) fail(where, `a schema may refer only to #/components/schemas/..., not ${value}`);
        out.$ref = `#/$defs/${match![1]}`;
        continue;
      }
      out[key] = strip(value, `${where}/${key}`);
    }
    return out;
  };
  for (const [name, schema] of Object.entries(schemas)) defs[name] = strip(schema, `components/schemas/${name}`);

  /** Each message once, under its name, by the object it resolves to. */
  const messageNames = new Map<unknown, string>();
  const messageName = (message: Node, key: string): string => {
    const known = messageNames.get(message);
    if (known !== undefined) return known;
    const raw = message.payload;
    const component = isNode(raw) && typeof raw.$ref === "string"
      ? /^#\/components\/schemas\/([^/]+)$/.exec(raw.$ref)?.[1]
      : undefined;
    const typeName = message["x-type"];
    if (typeName !== undefined && (typeof typeName !== "string" || !/^[A-Za-z_$][A-Za-z0-9_$]*$/.test(typeName))) {
      fail(`messages/${key}/x-type`, "x-type names the message's type: a TypeScript identifier");
    }
    if (typeof typeName === "string" && typeName === component) {
      // The payload is the named schema itself: the message's type is that schema, with no alias beside it.
      messageNames.set(message, typeName);
      return typeName;
    }
    const base = typeof message.name === "string" ? message.name : key;
    const name = typeof typeName === "string"
      ? typeName
      : pascal(base) + (pascal(base).endsWith("Message") ? "" : "Message");
    if (name in defs) fail(`messages/${key}`, `two types would be named ${name}; give the messages distinct names`);
    const payload = resolve(message.payload, `messages/${key}/payload`);
    if (!isNode(payload)) fail(`messages/${key}`, "a message needs a payload schema");
    const format = message.schemaFormat;
    if (typeof format === "string" && !/asyncapi|json/i.test(format)) {
      fail(
        `messages/${key}`,
        `payload schemas in ${format} are not read; use JSON Schema or the AsyncAPI schema format`,
      );
    }
    // A payload that names a component schema stays a reference to it; any other is copied in.
    defs[name] = strip(component !== undefined ? raw : payload, name);
    messageNames.set(message, name);
    return name;
  };

  const sends: string[] = [];
  const receives: string[] = [];
  const operations = isNode(document.operations) ? document.operations : {};
  if (Object.keys(operations).length === 0) fail("operations", "no operations: add `send` and `receive` operations");
  for (const [id, raw] of Object.entries(operations)) {
    const operation = resolve(raw, `operations/${id}`);
    if (!isNode(operation) || (operation.action !== "send" && operation.action !== "receive")) {
      return fail(`operations/${id}`, 'an operation needs an action, "send" or "receive"');
    }
    const channel = resolve(operation.channel, `operations/${id}/channel`);
    if (!isNode(channel)) return fail(`operations/${id}`, "an operation needs a channel");
    const listed = Array.isArray(operation.messages)
      ? operation.messages
      : Object.values(isNode(channel.messages) ? channel.messages : {});
    const keyOf = (message: unknown) =>
      isNode(message) && typeof message.$ref === "string" ? message.$ref.split("/").at(-1) ?? id : id;
    const requests: string[] = [];
    for (const listedMessage of listed) {
      const message = resolve(listedMessage, `operations/${id}/messages`);
      if (!isNode(message)) return fail(`operations/${id}`, "a message must be an object");
      const name = messageName(message, keyOf(listedMessage));
      const list = operation.action === "send" ? sends : receives;
      if (!list.includes(name)) list.push(name);
      if (operation.reply === undefined) continue;
      requests.push(name);
      defs[name] = { ...defs[name] as Node, ...correlationOf(message, name) };
    }
    if (operation.reply === undefined) continue;
    const reply = resolve(operation.reply, `operations/${id}/reply`);
    const answers = isNode(reply) && Array.isArray(reply.messages) ? reply.messages : [];
    if (answers.length === 0) {
      fail(`operations/${id}/reply`, "a reply needs messages: the messages that answer the request");
    }
    const replies: Node[] = [];
    const errors: Node[] = [];
    for (const listedAnswer of answers) {
      const answer = resolve(listedAnswer, `operations/${id}/reply/messages`);
      if (!isNode(answer)) return fail(`operations/${id}/reply`, "a reply message must be an object");
      const name = messageName(answer, keyOf(listedAnswer));
      (answer["x-error"] === true ? errors : replies).push({ $ref: `#/$defs/${name}` });
      // The side that receives a request sends its replies.
      const answering = operation.action === "receive" ? sends : receives;
      if (!answering.includes(name)) answering.push(name);
    }
    for (const name of requests) {
      defs[name] = { ...defs[name] as Node, "x-reply": replies, ...(errors.length > 0 && { "x-error-reply": errors }) };
    }
  }
  /** A request's correlation property, from its message's `correlationId` (a location in the payload). */
  function correlationOf(message: Node, name: string): Node {
    const id = resolve(message.correlationId, `messages/${name}/correlationId`);
    if (id === undefined) return {};
    const location = isNode(id) ? id.location : undefined;
    const match = typeof location === "string" ? /^\$message\.payload#\/([^/]+)$/.exec(location) : null;
    if (match === null) {
      return fail(
        `messages/${name}/correlationId`,
        `the location must name a top-level property of the payload, such as $message.payload#/requestId, not ${
          JSON.stringify(location)
        }`,
      );
    }
    return { "x-correlation": unescapePointerSegment(match[1]!) };
  }

  const [server, client] = describes === "server" ? [sends, receives] : [receives, sends];
  const union = (names: string[], side: string) => {
    if (names.length === 0) {
      fail("operations", `no operation gives what a ${side} sends (the document describes the ${describes})`);
    }
    return names.length === 1
      ? { $ref: `#/$defs/${names[0]}` }
      : { anyOf: names.map((n) => ({ $ref: `#/$defs/${n}` })) };
  };
  // A component schema named as a direction's union gives it its description; its members are the operations'.
  const described = (name: string) =>
    isNode(schemas[name]) && typeof schemas[name].description === "string"
      ? { description: schemas[name].description }
      : {};
  defs[serverType] = { ...described(serverType), ...union(server, "server") };
  defs[clientType] = { ...described(clientType), ...union(client, "client") };
  if (discriminators.size > 1) {
    fail("(document)", `the payloads name different discriminators (${[...discriminators].join(", ")}); use one`);
  }
  return {
    document: { $schema: "http://json-schema.org/draft-07/schema#", $defs: defs },
    discriminator: [...discriminators][0],
  };
}

/** `tick`, `job-done`, `job_done` -> `Tick`, `JobDone`. */
function pascal(name: string): string {
  return name.split(/[^A-Za-z0-9]+/).filter((p) => p !== "").map((p) => p[0]!.toUpperCase() + p.slice(1)).join("");
}
