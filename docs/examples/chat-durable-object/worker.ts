/**
 * MDN's chat room on Cloudflare: the same `ChatRoom` that runs on Bun and
 * Deno, one Durable Object per room with WebSocket hibernation, behind a
 * Worker that decides each upgrade and routes it to its room.
 *
 * `/` is the lobby, `/rooms/<name>` any other room. The page is the
 * `ASSETS` binding's (Workers static assets); without one, only the
 * WebSocket is served.
 */
import { ChatRoom } from "typewire/server";
import { durableObject, type DurableObjectNamespace, worker } from "typewire/server/cloudflare";

interface Env {
  /** The rooms: one Durable Object each. */
  readonly ROOMS: DurableObjectNamespace;
  /** The chat page's files. */
  readonly ASSETS?: { fetch(request: Request): Promise<Response> };
}

/** A room's typed server: MDN's rules, typewire's policy. */
const room = () => new ChatRoom().server;

/** The room a request names. */
const roomOf = (request: Request) => new URL(request.url).pathname.replace(/^\/(rooms\/)?/, "") || "lobby";

export const ChatRoomObject = durableObject<Env>({ server: room });

export default worker({
  server: room,
  namespace: (env: Env) => env.ROOMS,
  route: (request) => ({ object: roomOf(request) }),
  fetch: (request, env) => env.ASSETS?.fetch(request) ?? new Response("Not Found", { status: 404 }),
});
