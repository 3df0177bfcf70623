/**
 * Writes an AsyncAPI 3.0.0 document from the generator's model, whatever the
 * input was (TypeScript, JSON Schema or AsyncAPI): the reverse of
 * `./asyncapi.ts`. One channel, the WebSocket; one message per message type,
 * its payload the type's JSON Schema; one `send` or `receive` operation per
 * message and direction; requests carry a `reply`, their answers a
 * `correlationId`. `docs/asyncapi.md` maps each part and lists what a round
 * trip through `./asyncapi.ts` keeps.
 *
 * @module
 */
import { stringify as stringifyYaml } from "yaml";
import type { Perspective } from "./asyncapi.ts";
import { componentKey, componentSchemas, isNode, type Node, withDiscriminator } from "./asyncapi_export_schemas.ts";
import { SchemaError } from "./errors.ts";
import { operationOrder, planMessages } from "./asyncapi_export_plan.ts";
import type { ProtocolModel, RequestModel } from "./model.ts";
import { pascalCase } from "./names.ts";
import { escapePointerSegment } from "../src/runtime/issue.ts";

/** How to write the document. */
export interface AsyncApiOptions {
  /** `info.version`: the protocol's version, which no schema input states. @default "0.0.0" */
  readonly version?: string;
  /** Which side the document describes: its `send` operations are what that side sends. @default "server" */
  readonly describes?: Perspective;
  /** The channel's `address`, the WebSocket's URL path. @default null (not stated) */
  readonly address?: string;
  /** Noted as `info["x-generated-by"]`, e.g. `typewire 0.1.0 from schema/chat.ts`. @default none */
  readonly generatedBy?: string;
}

/** The version of the WebSockets bindings written. */
const WS_BINDING_VERSION = "0.1.0";

/**
 * Writes the AsyncAPI 3.0.0 document of a protocol.
 *
 * @param model The protocol, as `readProtocol` reads it.
 * @param document The JSON Schema the model was read from (`readProtocol`'s `document`): payloads are its schemas.
 * @param options The version, perspective, address and generator note.
 * @returns The document, its keys in a fixed order: serialize it with `asyncApiText`.
 * @throws {SchemaError} For a protocol AsyncAPI cannot state as typewire reads it back (see docs/asyncapi.md).
 * @example Export a protocol
 * ```ts
 * import { asyncApiOf, asyncApiText } from "./asyncapi_export.ts";
 * import { parseConfig } from "./config.ts";
 * import { readProtocol } from "./generate.ts";
 * const [chat] = parseConfig({ protocols: [{ schema: "schema/chat.ts", output: "out/chat.ts" }] }, "inline").protocols;
 * const { model, document } = await readProtocol(chat!);
 * const spec = asyncApiOf(model, document, { version: "1.0.0" });
 * const yaml: string = asyncApiText(spec, "chat.asyncapi.yaml");
 * ```
 */
export function asyncApiOf(
  model: ProtocolModel,
  document: Readonly<Record<string, unknown>>,
  options: AsyncApiOptions = {},
): Record<string, unknown> {
  const describes = options.describes ?? "server";
  const components = componentSchemas(model, document);
  const channel = componentKey(model.name);
  const channelRef = { $ref: `#/channels/${channel}` };
  const plan = planMessages(model, components);
  const messageRef = (definition: string) => ({
    $ref: `#/channels/${channel}/messages/${plan.get(definition)!.key}`,
  });
  const requests = model.requests ?? [];
  const answers = answerRoles(model, requests);

  const schemas: Node = {};
  for (const [name, schema] of components.schemas) {
    const message = plan.get(name);
    if (message?.inline === true || [...plan.values()].some((m) => m.recreates === name)) continue;
    schemas[name] = message === undefined ? schema : withDiscriminator(schema, model.discriminator);
  }
  for (const direction of [model.server, model.client]) {
    if (direction.description === undefined) continue;
    // Read back as the union's description; its members are the operations' messages.
    schemas[direction.typeName] = {
      description: direction.description,
      $comment: `The union of what ${
        direction.side === "server" ? "the server" : "a client"
      } sends: the messages of the operations.`,
    };
  }
  const correlationIds: Node = {};
  const messages: Node = {};
  for (const [definition, planned] of plan) {
    const request = requests.find((r) =>
      model[r.side].variants.some((v) => v.tag === r.tag && v.definition === definition)
    );
    const correlation = request?.correlation ?? answers.get(definition)?.correlation;
    if (correlation !== undefined) {
      correlationIds[componentKey(correlation)] ??= {
        description: `Pairs an answer with its request: typewire numbers each request in ${
          JSON.stringify(correlation)
        }, and each answer carries the number back.`,
        location: `$message.payload#/${escapePointerSegment(correlation)}`,
      };
    }
    const description = model.definitions.get(definition)!.shape.description;
    messages[planned.key] = {
      name: planned.name,
      title: definition,
      ...(description !== undefined && { description }),
      contentType: "application/json",
      ...(correlation !== undefined &&
        { correlationId: { $ref: `#/components/correlationIds/${componentKey(correlation)}` } }),
      payload: planned.inline
        ? withDiscriminator(components.schemas.get(definition)!, model.discriminator)
        : { $ref: `#/components/schemas/${definition}` },
      ...(!planned.inline && planned.recreates === undefined && { "x-type": definition }),
      ...(answers.get(definition)?.error === true && { "x-error": true }),
      ...(resumable(model, definition) && { "x-resume": model.resume!.property }),
    };
  }
  const operations: Node = {};
  for (const { variant, direction } of operationOrder(model, requests)) {
    const request = requests.find((r) => r.side === direction.side && r.tag === variant.tag);
    const action = direction.side === describes ? "send" : "receive";
    let id = `${action}${pascalCase(variant.definition)}`;
    while (id in operations) id += "_";
    const answering = direction.side === "server" ? model.client : model.server;
    operations[id] = {
      action,
      channel: channelRef,
      messages: [messageRef(variant.definition)],
      ...(request !== undefined && {
        reply: {
          channel: channelRef,
          // In the order of the answering union: the reader adds them to it in this order.
          messages: answering.variants
            .filter((v) => request.replies.includes(v.tag) || request.errors.includes(v.tag))
            .map((v) => messageRef(v.definition)),
        },
      }),
    };
  }
  const said = [model.server, model.client].filter((d) => d.description !== undefined)
    .map((d) => `What ${d.side === "server" ? "the server" : "a client"} sends (${d.typeName}): ${d.description}`);
  return {
    asyncapi: "3.0.0",
    info: {
      title: model.name,
      version: options.version ?? "0.0.0",
      description: `The ${model.name} protocol over one WebSocket, described from the ${describes}'s side: ` +
        `its send operations are what the ${describes} sends, its receive operations what it receives.`,
      ...(options.generatedBy !== undefined && { "x-generated-by": options.generatedBy }),
    },
    defaultContentType: "application/json",
    channels: {
      [channel]: {
        address: options.address ?? null,
        title: model.name,
        ...(said.length > 0 && { description: said.join("\n\n") }),
        messages,
        bindings: { ws: webSocketBinding(model.subprotocols) },
      },
    },
    operations,
    components: {
      schemas,
      ...(Object.keys(correlationIds).length > 0 && { correlationIds }),
    },
  };
}

/**
 * Serializes a document for its file: JSON, or YAML (for `.yaml` and `.yml`) headed by a comment naming the generator.
 *
 * @param document What `asyncApiOf` wrote.
 * @param path The file it goes to; its extension chooses the format.
 * @returns The file's text, ending in a newline.
 * @example
 * ```ts
 * import { asyncApiText } from "./asyncapi_export.ts";
 * asyncApiText({ asyncapi: "3.0.0" }, "api.json"); // '{\n  "asyncapi": "3.0.0"\n}\n'
 * ```
 */
export function asyncApiText(document: Readonly<Record<string, unknown>>, path: string): string {
  if (!/\.ya?ml$/.test(path)) return JSON.stringify(document, null, 2) + "\n";
  const info = isNode(document.info) ? document.info : {};
  const by = typeof info["x-generated-by"] === "string" ? ` ${info["x-generated-by"]}`.replace(/^ typewire/, "") : "";
  const header = `# generated by typewire${by}, do not edit\n`;
  return header + stringifyYaml(document, { aliasDuplicateObjects: false, lineWidth: 0 });
}

/** What each answer is: its correlation property, and whether it answers with an error. */
function answerRoles(
  model: ProtocolModel,
  requests: readonly RequestModel[],
): Map<string, { correlation: string; error: boolean }> {
  const roles = new Map<string, { correlation: string; error: boolean }>();
  for (const request of requests) {
    const answering = request.side === "server" ? model.client : model.server;
    for (const variant of answering.variants) {
      const error = request.errors.includes(variant.tag);
      if (!error && !request.replies.includes(variant.tag)) continue;
      const known = roles.get(variant.definition);
      if (known !== undefined && known.error !== error) {
        throw new SchemaError(
          model.source,
          variant.definition,
          "it is an error reply to one request and a reply to another; AsyncAPI marks a message an error reply " +
            "(x-error) for every request: give each role its own message",
        );
      }
      roles.set(variant.definition, { correlation: request.correlation, error });
    }
  }
  return roles;
}

/** Whether the server's message of this type is resumable. */
function resumable(model: ProtocolModel, definition: string): boolean {
  return model.server.variants.some((v) => v.definition === definition && model.resume?.types.includes(v.tag));
}

/** The WebSockets channel binding: the upgrade is a GET; the subprotocols a client offers, as its header. */
function webSocketBinding(subprotocols: readonly string[]): Node {
  if (subprotocols.length === 0) return { method: "GET", bindingVersion: WS_BINDING_VERSION };
  const listed = subprotocols.join(", ");
  return {
    method: "GET",
    headers: {
      type: "object",
      properties: {
        "Sec-WebSocket-Protocol": {
          type: "string",
          description: `The subprotocols a client offers, comma-separated: ${listed}. The server picks one.`,
          examples: [listed],
        },
      },
    },
    bindingVersion: WS_BINDING_VERSION,
  };
}
