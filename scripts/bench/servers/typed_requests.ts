/**
 * typewire's typed server as the request/reply benchmark runs it, on the rooms
 * fixture protocol: each `list-members` request is answered by returning a
 * `members` reply from its handler (typewire copies the request's correlation
 * value into it). The rate limits are raised out of the way. On any adapter
 * given.
 */
import { createServer, type ListeningServer } from "../../../src/server/typed_server.ts";
import type { Serve } from "../../../src/server/contract.ts";
import { roomsProtocol } from "../../../tests/fixtures/generated/rooms.ts";

/** The members every reply lists; Socket.IO's server (`./socketio_requests.mjs`) answers with the same. */
export const MEMBERS: readonly string[] = ["ada", "grace", "linus"];

/**
 * Starts the typed request/reply server.
 *
 * @param serve The adapter; the runtime's own by default.
 * @returns The listening server.
 */
export function startTypedRequests(serve?: Serve): Promise<ListeningServer> {
  return createServer(roomsProtocol, {
    // One client asks far more than the default 50 frames a second, with up to 64 requests in flight.
    limits: { framesPerSecond: 1e9, burst: 1e9, maxPendingRequests: 1000 },
    // The benchmark's client sends only `list-members`.
    partialHandlers: { "list-members": () => ({ type: "members", names: [...MEMBERS] }) },
  }).listen({ port: 0 }, serve);
}
