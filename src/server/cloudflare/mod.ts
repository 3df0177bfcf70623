/**
 * typewire's typed server on Cloudflare: a Durable Object class per room,
 * with WebSocket hibernation (`durableObject`), and the Worker that decides
 * each upgrade and routes it to its room's object (`worker`). Runs in
 * Cloudflare's workerd only.
 *
 * @example A Worker and its Durable Object
 * ```ts
 * import { durableObject, worker } from "./mod.ts";
 * import type { DurableObjectNamespace } from "./mod.ts";
 * import { createServer } from "../typed_server.ts";
 * import { echoProtocol } from "../../../tests/fixtures/generated/echo.ts";
 *
 * function echo() {
 *   return createServer(echoProtocol, {
 *     handlers: {
 *       say: ({ seq, text }, conn) => conn.send({ type: "echo", seq, text }),
 *       ping: ({ seq }, conn) => conn.send({ type: "pong", seq }),
 *     },
 *   });
 * }
 * export const Echo = durableObject({ server: echo });
 * export default worker({
 *   server: echo,
 *   namespace: (env: { ECHO: DurableObjectNamespace }) => env.ECHO,
 *   route: () => ({ object: "lobby" }),
 * });
 * ```
 *
 * @module
 */
export {
  type AutoResponse,
  durableObject,
  type DurableObjectOptions,
  pingPong,
  type TypedDurableObject,
  type TypedDurableObjectClass,
} from "./durable_object.ts";
export { type Route, type TypedWorker, worker, type WorkerOptions } from "./worker.ts";
export { AttachmentRefused, MAX_ATTACHMENT_BYTES } from "./attachment.ts";
export { MAX_TAG_LENGTH, MAX_TAGS } from "./handoff.ts";
export type { DurableObjectContext, DurableObjectNamespace, HibernatableWebSocket } from "./workerd.ts";
