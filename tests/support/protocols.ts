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
import { jobsProtocol } from "../fixtures/generated/jobs.ts";
import { tickerProtocol } from "../fixtures/generated/ticker.ts";
import { treeProtocol } from "../fixtures/generated/tree.ts";
import { roomsProtocol } from "../fixtures/generated/rooms.ts";
import { countersProtocol } from "../fixtures/generated/counters.ts";

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
  const schema = JSON.parse(readFileSync(fileURLToPath(new URL(`../../${file}`, import.meta.url).href), "utf8"));
  const model = readJsonSchema(schema, {
    name: protocol.name,
    source: file,
    discriminator: protocol.discriminator,
    subprotocols: protocol.subprotocols,
    serverType,
    clientType,
  });
  return { protocol, schema, model, serverType, clientType };
}

/**
 * Every protocol generated into `src/generated/`, and the protocols of the tests written in JSON Schema,
 * AsyncAPI and TypeScript, the recursive `tree` and the requests of `rooms` and `counters` among them.
 */
export const committedProtocols: readonly CommittedProtocol[] = [
  load(
    chatProtocol as unknown as Protocol<unknown, unknown, string>,
    "schema/chat.schema.json",
    "ServerMessage",
    "ClientMessage",
  ),
  load(
    signalingProtocol as unknown as Protocol<unknown, unknown, string>,
    "schema/signaling.schema.json",
    "SignalingServerMessage",
    "SignalingClientMessage",
  ),
  load(
    tickerProtocol as unknown as Protocol<unknown, unknown, string>,
    "tests/fixtures/ticker.schema.json",
    "TickerServerMessage",
    "TickerClientMessage",
  ),
  load(
    jobsProtocol as unknown as Protocol<unknown, unknown, string>,
    "tests/fixtures/jobs.schema.json",
    "JobsServerMessage",
    "JobsClientMessage",
  ),
  load(
    treeProtocol as unknown as Protocol<unknown, unknown, string>,
    "tests/fixtures/tree.schema.json",
    "TreeServerMessage",
    "TreeClientMessage",
  ),
  load(
    roomsProtocol as unknown as Protocol<unknown, unknown, string>,
    "tests/fixtures/rooms.schema.json",
    "ServerMessage",
    "ClientMessage",
  ),
  load(
    countersProtocol as unknown as Protocol<unknown, unknown, string>,
    "tests/fixtures/counters.schema.json",
    "CountersServerMessage",
    "CountersClientMessage",
  ),
];
