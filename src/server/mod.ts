/**
 * typewire's server side, runtime-neutral: the typed server (`createServer`),
 * its policy and connections, and the transport contract the adapters
 * implement (`typewire/server/bun`, `typewire/server/deno`,
 * `typewire/server/node`).
 *
 * @example A typed server on whichever runtime runs this
 * ```ts
 * import { createServer } from "./mod.ts";
 * import { echoProtocol } from "../../tests/fixtures/generated/echo.ts";
 *
 * const server = createServer(echoProtocol, {
 *   handlers: {
 *     say: ({ seq, text }, conn) => conn.send({ type: "echo", seq, text }),
 *     ping: ({ seq }, conn) => conn.send({ type: "pong", seq }),
 *   },
 * });
 * const listening = await server.listen({ port: 0 });
 * await listening.stop();
 * ```
 *
 * @module
 */
export {
  createServer,
  type ListeningServer,
  type ListenOptions,
  type MessageHandler,
  type MessageHandlers,
  type Refusal,
  type ServerHooks,
  type TypedServer,
  type TypedServerOptions,
  type UpgradeInfo,
} from "./typed_server.ts";
export { type Connection, MessageRefused } from "./connection.ts";
export {
  isRequestError,
  ReplyError,
  RequestError,
  type RequestFailure,
  type TypedRequestError,
} from "../runtime/request_errors.ts";
export type { RequestOptions } from "../runtime/pending_requests.ts";
export { CloseCode, DEFAULT_LIMITS, type Limits, resolveLimits } from "./policy.ts";
export type {
  Acceptance,
  Maybe,
  RunningServer,
  Serve,
  ServeOptions,
  ServerSocket,
  SocketHandlers,
  UpgradeHook,
} from "./contract.ts";
export {
  DEFAULT_CLOSE_TIMEOUT,
  DEFAULT_IDLE_TIMEOUT,
  DEFAULT_MAX_FRAME_BYTES,
  frameExceeds,
  isUpgrade,
  offeredProtocols,
} from "./contract.ts";
export { closeReason } from "./close_reason.ts";
export { AfterUpgradeRefusal, refuseAfterUpgrade } from "./refuse_after_upgrade.ts";
export { loadServe, serverRuntime } from "./this_runtime.ts";
export { ChatRoom, type ChatRoomOptions } from "../chat/server/room.ts";
