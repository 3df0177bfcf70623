/**
 * typewire's client: a typed WebSocket client for Deno, Bun, browsers and
 * edge runtimes, built only on the standard `WebSocket` (or one you inject)
 * and a generated protocol descriptor.
 *
 * @example Connect, route by type, send
 * ```ts
 * import { connect } from "./mod.ts";
 * import { chatProtocol } from "../generated/chat.ts";
 *
 * const client = connect(chatProtocol, "ws://127.0.0.1:6502");
 * client.on("message", (line) => console.log(`${line.name}: ${line.text}`));
 * client.on("id", ({ id }) => client.send({ type: "username", id, name: "ada", date: Date.now() }));
 * ```
 *
 * @module
 */
import type { ClientProtocol } from "../runtime/protocol.ts";
import type { NoRequests } from "../runtime/requests.ts";
import { TypewireClient } from "./client.ts";
import type { ClientOptions, UrlSource } from "./options.ts";

export { type ClientStats, type SendStatus, TypewireClient } from "./client.ts";
export {
  closeCodeName,
  FORBIDDEN,
  HANDSHAKE_FAILED,
  IDLE_TIMEOUT,
  isTerminalCode,
  RECONNECT_REQUESTED,
  UNAUTHORIZED,
} from "./close_codes.ts";
export { type Drainable, drained } from "./drain.ts";
export { ClientClosedError, MixedContentError, OutgoingMessageError, QueueFullError, TimeoutError } from "./errors.ts";
export type * from "./events.ts";
export type * from "./options.ts";
export type { OverflowPolicy } from "./send_queue.ts";
export type { PageLocation } from "./url.ts";
export { messagesOf, nextMessage } from "./wait.ts";
export {
  isRequestError,
  ReplyError,
  RequestError,
  type RequestFailure,
  type TypedRequestError,
} from "../runtime/request_errors.ts";
export type { RequestOptions } from "../runtime/pending_requests.ts";
export { type IdleOptions, watchIdle } from "./idle.ts";

/**
 * Opens a typed client for a protocol; it starts connecting at once.
 *
 * @param definition The generated protocol descriptor: `chatProtocol`, or the slimmer `chatClientProtocol`.
 * @param url Where to connect, or a function giving the URL before each attempt.
 * @param options See {@link ClientOptions}.
 * @returns The client.
 * @example
 * ```ts
 * import { connect } from "./mod.ts";
 * import { chatProtocol } from "../generated/chat.ts";
 * const client = connect(chatProtocol, () => `ws://127.0.0.1:6502/?token=${crypto.randomUUID()}`, { reconnect: { maxAttempts: 5 } });
 * await client.close();
 * ```
 */
export function connect<S, C, K extends string, R = NoRequests>(
  definition: ClientProtocol<S, C, K, R>,
  url: UrlSource,
  options?: ClientOptions<S, C, K, R>,
): TypewireClient<S, C, K, R> {
  return new TypewireClient(definition, url, options);
}
