/**
 * Which export of a generated module is the protocol descriptor `typewire connect` uses.
 *
 * @module
 */
import type { ClientProtocol } from "../../src/runtime/protocol.ts";
import { didYouMean } from "../closest.ts";
import { UsageError } from "../usage.ts";

/** A protocol descriptor of any message types. */
export type AnyClientProtocol = ClientProtocol<unknown, unknown, string>;

/** The descriptor picked, and the export it came from. */
export interface PickedProtocol {
  readonly exportName: string;
  readonly protocol: AnyClientProtocol;
  /** The message types a client sends, when the descriptor lists them (a whole `Protocol` does). */
  readonly clientTypes: readonly string[] | undefined;
}

/**
 * Tells whether a value is a protocol descriptor a client can use: a name, a discriminator, subprotocols, the
 * decoders of what the server sends and the encoder of what the client sends.
 *
 * @param value Any export of a module.
 * @returns Whether it has the shape of a `ClientProtocol` (a whole `Protocol` has it too).
 * @example
 * ```ts
 * import { isClientProtocol } from "./pick_protocol.ts";
 * import * as chat from "../../src/generated/chat.ts";
 *
 * isClientProtocol(chat.chatClientProtocol); // true
 * isClientProtocol(chat.decodeServerMessage); // false
 * ```
 */
export function isClientProtocol(value: unknown): value is AnyClientProtocol {
  const protocol = value as Partial<Record<string, unknown>> | null;
  if (typeof protocol !== "object" || protocol === null) return false;
  const server = protocol.server as Partial<Record<string, unknown>> | undefined;
  const client = protocol.client as Partial<Record<string, unknown>> | undefined;
  return typeof protocol.name === "string" && typeof protocol.discriminator === "string" &&
    Array.isArray(protocol.subprotocols) && typeof server === "object" && server !== null &&
    Array.isArray(server.types) && typeof server.decode === "function" && typeof server.decodeStrict === "function" &&
    typeof client === "object" && client !== null && typeof client.encode === "function";
}

/**
 * Picks the protocol descriptor of a module: the export named `exportName`, or else the module's only protocol.
 * A generated module exports one protocol twice, whole (`chatProtocol`) and slim (`chatClientProtocol`): they count
 * as one, and the whole one is picked, for its list of client message types.
 *
 * @param module The module's namespace object.
 * @param exportName The export to use, if the user named one.
 * @param path The module's path, for messages.
 * @returns The descriptor.
 * @throws {UsageError} When the named export is missing or no protocol, or the module has no protocol or several.
 * @example
 * ```ts
 * import { pickProtocol } from "./pick_protocol.ts";
 * import * as chat from "../../src/generated/chat.ts";
 *
 * pickProtocol(chat, undefined, "src/generated/chat.ts").exportName; // "chatProtocol"
 * pickProtocol(chat, "chatClientProtocol", "src/generated/chat.ts").clientTypes; // undefined
 * ```
 */
export function pickProtocol(module: object, exportName: string | undefined, path: string): PickedProtocol {
  const exports = Object.entries(module);
  const protocols = exports.filter(([, value]) => isClientProtocol(value)) as [string, AnyClientProtocol][];
  if (exportName !== undefined) {
    const found = exports.find(([name]) => name === exportName);
    if (!found) {
      const known = protocols.length ? protocols.map(([name]) => name) : exports.map(([name]) => name);
      throw new UsageError(
        `${path} has no export ${JSON.stringify(exportName)}${
          didYouMean(exportName, known) ||
          (known.length ? ` (${protocols.length ? "its protocols" : "its exports"}: ${known.join(", ")})` : "")
        }`,
      );
    }
    if (!isClientProtocol(found[1])) {
      throw new UsageError(
        `${path}: ${exportName} is not a protocol descriptor${
          protocols.length ? ` (these are: ${protocols.map(([name]) => name).join(", ")})` : ""
        }`,
      );
    }
    return picked(exportName, found[1]);
  }
  if (!protocols.length) {
    throw new UsageError(
      `${path} exports no protocol descriptor (an object like a generated module's xxxProtocol): is it a module ` +
        "written by typewire gen?",
    );
  }
  // The whole and the slim descriptor of one protocol share their codecs.
  const distinct = protocols.filter(([, one], i) => protocols.findIndex(([, other]) => sameProtocol(one, other)) === i);
  if (distinct.length > 1) {
    throw new UsageError(
      `${path} exports ${distinct.length} protocols (${protocols.map(([name]) => name).join(", ")}): ` +
        "choose one with --export <name>",
    );
  }
  const [name, protocol] = protocols.find(([, one]) => clientTypesOf(one) !== undefined) ??
    protocols[0] as [string, AnyClientProtocol];
  return picked(name, protocol);
}

function sameProtocol(a: AnyClientProtocol, b: AnyClientProtocol): boolean {
  return a.server.decode === b.server.decode && a.client.encode === b.client.encode;
}

function clientTypesOf(protocol: AnyClientProtocol): readonly string[] | undefined {
  const types = (protocol.client as { types?: unknown }).types;
  return Array.isArray(types) && types.every((type) => typeof type === "string") ? types : undefined;
}

function picked(exportName: string, protocol: AnyClientProtocol): PickedProtocol {
  return { exportName, protocol, clientTypes: clientTypesOf(protocol) };
}
