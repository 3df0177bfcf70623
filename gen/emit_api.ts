/**
 * Emits the public surface of a generated module: per direction the variant
 * table, decoders, encoder, guards, handler types and dispatch; per message a
 * guard; and the protocol descriptor that bundles them.
 *
 * @module
 */
import { CheckEmitter } from "./emit_checks.ts";
import { PickerEmitter } from "./emit_writers.ts";
import { type DirectionModel, type ProtocolModel, unboundedDefinitions } from "./model.ts";
import { MAX_DEPTH } from "../src/runtime/depth.ts";
import { camelCase, constantCase, propertyRead } from "./names.ts";
import { hasRequests, requestNames } from "./emit_requests.ts";
import type { ModulePrinter } from "./printer.ts";

/** The names a generated module declares for one direction. */
export interface DirectionNames {
  readonly union: string;
  readonly tags: string;
  readonly tagType: string;
  readonly check: string;
  readonly pick: string;
  readonly decode: string;
  readonly decodeStrict: string;
  readonly encode: string;
  readonly is: string;
  readonly handlers: string;
  readonly partialHandlers: string;
  readonly dispatch: string;
}

/**
 * The names generated for a direction, all derived from its union's name.
 *
 * @param direction The direction.
 * @returns Its names, e.g. `decodeServerMessage` for `ServerMessage`.
 * @example
 * ```ts
 * import { directionNames } from "./emit_api.ts";
 * directionNames({ side: "server", typeName: "ServerMessage", variants: [] }).tags; // "SERVER_MESSAGE_TYPES"
 * ```
 */
export function directionNames(direction: DirectionModel): DirectionNames {
  const union = direction.typeName;
  return {
    union,
    tags: `${constantCase(union)}_TYPES`,
    tagType: `${union}Type`,
    check: `check${union}`,
    pick: `pick${union}`,
    decode: `decode${union}`,
    decodeStrict: `decode${union}Strict`,
    encode: `encode${union}`,
    is: `is${union}`,
    handlers: `${union}Handlers`,
    partialHandlers: `Partial${union}Handlers`,
    dispatch: `dispatch${union}`,
  };
}

/**
 * The name of a protocol's descriptor constant.
 *
 * @param model The protocol.
 * @returns E.g. `chatProtocol`.
 * @example
 * ```ts
 * import { descriptorName } from "./emit_api.ts";
 * descriptorName({ name: "chat" } as import("./model.ts").ProtocolModel); // "chatProtocol"
 * ```
 */
export function descriptorName(model: ProtocolModel): string {
  return `${camelCase(model.name)}Protocol`;
}

/**
 * The name of a protocol's slim descriptor for clients.
 *
 * @param model The protocol.
 * @returns E.g. `chatClientProtocol`.
 */
export function clientDescriptorName(model: ProtocolModel): string {
  return `${camelCase(model.name)}ClientProtocol`;
}

/**
 * The name of the guard for one message definition.
 *
 * @param definition The definition's name.
 * @returns E.g. `isIdMessage`.
 */
export function guardName(definition: string): string {
  return `is${definition}`;
}

/** What the documentation of a direction's decoders and encoder adds when some message is of a recursive type. */
const NESTING_NOTE = `A message that can hold a recursive type and nests more than ${MAX_DEPTH} levels of objects\n` +
  "and arrays (the message being level 1) is an `invalid` error at the JSON Pointer where the depth ran out.";

/**
 * Prints the functions and types of one direction: its validator and picker
 * (a `switch` on the discriminator, so each message's own code is called
 * directly), decoders, encoder, guard, handler types and dispatch. A message
 * whose type can nest itself has its nesting measured (without recursion)
 * before its validator runs; other messages pay nothing for it.
 *
 * @param p The module printer.
 * @param model The protocol.
 * @param direction The direction.
 */
export function emitDirectionApi(p: ModulePrinter, model: ProtocolModel, direction: DirectionModel): void {
  const n = directionNames(direction);
  const key = JSON.stringify(model.discriminator);
  const sender = direction.side === "server" ? "a server" : "a client";
  const UNKNOWN_TYPE = p.runtime("UNKNOWN_TYPE");
  const unbounded = unboundedDefinitions(model.definitions);
  const nests = direction.variants.some((v) => unbounded.has(v.definition));
  const nesting = nests ? `\n${NESTING_NOTE}` : "";

  p.block(
    `function ${n.check}(v: ${p.runtimeType("Fields")}, strict: boolean): ${
      p.runtimeType("Issue")
    } | undefined | typeof ${UNKNOWN_TYPE} {`,
    () => {
      p.block(`switch (${propertyRead("v", model.discriminator)}) {`, () => {
        for (const v of direction.variants) {
          const check = `${CheckEmitter.checkName(v.definition)}(v, strict)`;
          const bounded = unbounded.has(v.definition)
            ? `${p.runtime("nestingIssue")}(v, ${p.runtime("MAX_DEPTH")}) ?? ${check}`
            : check;
          p.line(`case ${JSON.stringify(v.tag)}: return ${bounded};`);
        }
        p.line(`default: return ${UNKNOWN_TYPE};`);
      });
    },
  );
  p.line();
  p.block(`function ${n.pick}(message: ${n.union}): unknown {`, () => {
    p.block(`switch (${propertyRead("message", model.discriminator)}) {`, () => {
      for (const v of direction.variants) {
        p.line(`case ${JSON.stringify(v.tag)}: return ${PickerEmitter.pickName(v.definition)}(message);`);
      }
    });
  });
  p.line();

  const DecodeResult = p.runtimeType("DecodeResult");
  p.doc(
    `Decodes a text frame that ${sender} sent. Never throws: the result is the typed message, or an error\n` +
      `whose \`kind\` is \`not-json\`, \`not-object\`, \`unknown-type\` or \`invalid\` (with the JSON Pointer of the offending value).\n` +
      `Properties the schema does not name are kept on the returned object, untyped; encoders never write them.\n` +
      `Use {@link ${n.decodeStrict}} to reject them.${nesting}\n\n@param frame The text frame, as received.\n@returns The message, or why it was refused.`,
  );
  p.block(`export function ${n.decode}(frame: string): ${DecodeResult}<${n.union}> {`, () => {
    p.line(`return ${p.runtime("decodeWith")}(frame, ${key}, ${n.check}, false);`);
  });
  p.line();
  p.doc(
    `Decodes a text frame that ${sender} sent, like {@link ${n.decode}}, but a property the schema does not\n` +
      `name is an \`invalid\` error.${nesting}\n\n@param frame The text frame, as received.\n@returns The message, or why it was refused.`,
  );
  p.block(`export function ${n.decodeStrict}(frame: string): ${DecodeResult}<${n.union}> {`, () => {
    p.line(`return ${p.runtime("decodeWith")}(frame, ${key}, ${n.check}, true);`);
  });
  p.line();
  p.doc(
    `Validates a message ${sender} sends, then writes it with \`JSON.stringify\`: only the properties its schema names,\n` +
      `in schema order. Never throws: a property that throws when read is an \`invalid\` error.${nesting}\n\n` +
      `@param message The message.\n@returns The text frame, or why the message was refused (nothing is written then).`,
  );
  p.block(`export function ${n.encode}(message: ${n.union}): ${p.runtimeType("EncodeResult")} {`, () => {
    p.line(`return ${p.runtime("encodeWith")}(message, ${key}, ${n.check}, ${n.pick});`);
  });
  p.line();
  p.doc(
    `Tells whether a value is a valid {@link ${n.union}}. Never throws.\n\n@param value Any value.\n@returns \`true\` when it is one.`,
  );
  p.block(`export function ${n.is}(value: unknown): value is ${n.union} {`, () => {
    p.line(`return ${p.runtime("guardWith")}(value, ${n.check});`);
  });
  p.line();
  p.doc(`One handler for every {@link ${n.union}}; leaving one out is a compile error.`);
  p.line(`export type ${n.handlers}<R = void> = ${p.runtimeType("Handlers")}<${n.union}, ${key}, R>;`);
  p.line();
  p.doc(`Handlers for some of the {@link ${n.union}} types.`);
  p.line(`export type ${n.partialHandlers}<R = void> = ${p.runtimeType("PartialHandlers")}<${n.union}, ${key}, R>;`);
  p.line();
  p.doc(
    `Calls the handler for the message's \`${model.discriminator}\`, if there is one, as a method of \`handlers\`\n` +
      `(so a class instance works as a handler table).\n\n` +
      `@param handlers The handlers, exhaustive ({@link ${n.handlers}}) or not.\n@param message A valid message.\n@returns Whether a handler ran.`,
  );
  p.block(
    `export function ${n.dispatch}(handlers: ${n.partialHandlers}<unknown>, message: ${n.union}): boolean {`,
    () => {
      p.block(`switch (${propertyRead("message", model.discriminator)}) {`, () => {
        for (const v of direction.variants) {
          const handler = propertyRead("handlers", v.tag);
          p.line(`case ${JSON.stringify(v.tag)}:`);
          p.line(`  if (${handler} === undefined) return false;`);
          p.line(`  ${handler.startsWith("(") ? `handlers[${JSON.stringify(v.tag)}]!` : handler}(message);`);
          p.line(`  return true;`);
        }
        p.line("default:");
        p.line("  return false;");
      });
    },
  );
  p.line();
}

/**
 * Prints one guard per message definition (once, even when both directions share it).
 *
 * @param p The module printer.
 * @param model The protocol.
 */
export function emitVariantGuards(p: ModulePrinter, model: ProtocolModel): void {
  const done = new Set<string>();
  const unbounded = unboundedDefinitions(model.definitions);
  for (const v of [...model.server.variants, ...model.client.variants]) {
    if (done.has(v.definition)) continue;
    done.add(v.definition);
    p.doc(
      `Tells whether a value is a valid {@link ${v.definition}}. Never throws.\n\n@param value Any value.\n@returns \`true\` when it is one.`,
    );
    p.block(`export function ${guardName(v.definition)}(value: unknown): value is ${v.definition} {`, () => {
      const bound = unbounded.has(v.definition) ? `, ${p.runtime("MAX_DEPTH")}` : "";
      p.line(`return ${p.runtime("guardWith")}(value, ${CheckEmitter.checkName(v.definition)}${bound});`);
    });
    p.line();
  }
}

/**
 * Prints the protocol descriptor that the client and the server take.
 *
 * @param p The module printer.
 * @param model The protocol.
 */
export function emitDescriptor(p: ModulePrinter, model: ProtocolModel): void {
  const server = directionNames(model.server);
  const client = directionNames(model.client);
  const key = JSON.stringify(model.discriminator);
  const direction = (n: DirectionNames) =>
    `{ types: ${n.tags}, decode: ${n.decode}, decodeStrict: ${n.decodeStrict}, encode: ${n.encode}, is: ${n.is}, dispatch: ${n.dispatch} }`;
  p.doc(
    `The ${model.name} protocol, for the typewire client and server: \`server\` is what a server sends\n` +
      `(a client decodes it), \`client\` what a client sends (a server decodes it).${resumeNote(model)}`,
  );
  const types = `${server.union}, ${client.union}, ${key}${hasRequests(model) ? `, ${requestNames(model).type}` : ""}`;
  p.line(`export const ${descriptorName(model)}: ${p.runtimeType("Protocol")}<${types}> = {`);
  p.line(`  name: ${JSON.stringify(model.name)},`);
  p.line(`  discriminator: ${key},`);
  p.line(`  subprotocols: [${model.subprotocols.map((s) => JSON.stringify(s)).join(", ")}],`);
  p.line(`  server: ${direction(server)},`);
  p.line(`  client: ${direction(client)},`);
  if (hasRequests(model)) {
    p.line(`  requests: ${requestNames(model).table},`);
    p.line(`  requestEngine: ${p.runtime("requestEngine")},`);
  }
  emitResume(p, model);
  p.line(`};`);
  p.line();
  p.doc(
    `The ${model.name} protocol as a client needs it: decoders for what a server sends, the encoder for what a\n` +
      `client sends. Pass it to the client instead of {@link ${
        descriptorName(model)
      }} for the smallest browser bundle.${resumeNote(model)}`,
  );
  p.line(`export const ${clientDescriptorName(model)}: ${p.runtimeType("ClientProtocol")}<${types}> = {`);
  p.line(`  name: ${JSON.stringify(model.name)},`);
  p.line(`  discriminator: ${key},`);
  p.line(`  subprotocols: [${model.subprotocols.map((s) => JSON.stringify(s)).join(", ")}],`);
  p.line(`  server: { types: ${server.tags}, decode: ${server.decode}, decodeStrict: ${server.decodeStrict} },`);
  p.line(`  client: { encode: ${client.encode} },`);
  if (hasRequests(model)) {
    p.line(`  requests: ${requestNames(model).table},`);
    p.line(`  requestEngine: ${p.runtime("requestEngine")},`);
  }
  emitResume(p, model);
  p.line(`};`);
}

/** What the descriptors' documentation says of resumable messages; nothing for a protocol without `resume`. */
function resumeNote(model: ProtocolModel): string {
  if (model.resume === undefined) return "";
  const { property, types } = model.resume;
  const list = types.map((t) => `\`${t}\``).join(", ");
  return `\n\nResumable: the server fills in the \`${property}\` of ${list} messages with a token of their position in their topic;\n` +
    "a client that reconnects sends the last one of each topic and is sent what it missed (a `resumed` event\n" +
    "says how that went).";
}

/** A descriptor's `resume` and `resumeEngine`, for a protocol with `resume` only (so that others do not ship it). */
function emitResume(p: ModulePrinter, model: ProtocolModel): void {
  if (model.resume === undefined) return;
  const { property, types } = model.resume;
  p.line(
    `  resume: { property: ${JSON.stringify(property)}, types: [${types.map((t) => JSON.stringify(t)).join(", ")}] },`,
  );
  p.line(`  resumeEngine: ${p.runtime("resumeEngine")},`);
}
