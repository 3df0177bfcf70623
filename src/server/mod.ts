/**
 * typewire's server side, runtime-neutral: the socket contract the adapters
 * implement (`typewire/server/bun`, `typewire/server/deno`) and the reference
 * chat room that runs on any of them.
 *
 * @example A chat room on whichever runtime runs this
 * ```ts
 * import { ChatRoom, loadServe } from "./mod.ts";
 * const serve = await loadServe();
 * const server = await serve({ port: 6502, selectProtocol: (offered) => offered.find((p) => p === "json") }, new ChatRoom());
 * await server.stop();
 * ```
 *
 * @module
 */
export type { RunningServer, Serve, ServeOptions, ServerSocket, SocketHandlers } from "./contract.ts";
export { DEFAULT_MAX_FRAME_BYTES, frameExceeds, isUpgrade, offeredProtocols } from "./contract.ts";
export { loadServe, serverRuntime } from "./this_runtime.ts";
export { ChatRoom, type ChatRoomOptions, type Refusal } from "../chat/server/room.ts";
