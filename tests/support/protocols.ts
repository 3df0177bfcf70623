/**
 * The committed protocols, loaded the way tests need them: the generated
 * module, its JSON Schema, and the generator's model of it.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { readJsonSchema } from "../../gen/read_schema.ts";
import type { ProtocolModel } from "../../gen/model.ts";
import { chatProtocol } from "../../src/generated/chat.ts";
import { signalingProtocol } from "../../src/generated/signaling.ts";
import type { Protocol } from "../../src/runtime/protocol.ts";

export interface CommittedProtocol {
  readonly protocol: Protocol<unknown, unknown, string>;
  readonly schema: Record<string, unknown>;
  readonly model: ProtocolModel;
  readonly serverType: string;
  readonly clientType: string;
}

function load(
  protocol: Protocol<unknown, unknown, string>,
  file: string,
  serverType: string,
  clientType: string,
): CommittedProtocol {
  const schema = JSON.parse(readFileSync(fileURLToPath(new URL(`../../schema/${file}`, import.meta.url).href), "utf8"));
  const model = readJsonSchema(schema, {
    name: protocol.name,
    source: `schema/${file}`,
    discriminator: protocol.discriminator,
    subprotocols: protocol.subprotocols,
    serverType,
    clientType,
  });
  return { protocol, schema, model, serverType, clientType };
}

/** Every protocol generated into `src/generated/`. */
export const committedProtocols: readonly CommittedProtocol[] = [
  load(
    chatProtocol as unknown as Protocol<unknown, unknown, string>,
    "chat.schema.json",
    "ServerMessage",
    "ClientMessage",
  ),
  load(
    signalingProtocol as unknown as Protocol<unknown, unknown, string>,
    "signaling.schema.json",
    "SignalingServerMessage",
    "SignalingClientMessage",
  ),
];
