/**
 * typewire's chat layer: a logged-in session on any server of the MDN chat
 * protocol, for bots, and the generated chat protocol (types, codecs,
 * `chatProtocol`, `chatClientProtocol`).
 *
 * @example
 * ```ts
 * import { ChatSession } from "./mod.ts";
 * const chat = new ChatSession("ws://127.0.0.1:6502", { name: "bot" });
 * chat.onLine((line) => line.text === "!ping" && chat.say("pong"));
 * ```
 *
 * @module
 */
export { type ChatLineStats, ChatSession, type ChatSessionOptions } from "./session.ts";
export * from "../generated/chat.ts";
