/**
 * A member of an in-process chat room with no network connection: it logs in
 * like any client and hears every broadcast, but no socket can fail under it.
 * The fault tests use it as the record of what the room received.
 */
import type { ChatRoom } from "../../src/chat/server/room.ts";
import type { ServerSocket } from "../../src/server/contract.ts";
import type { ChatLineMessage } from "../../src/generated/chat.ts";

/**
 * Joins a room as `name` and reports every chat line the room broadcasts.
 *
 * @param room The room, in this process.
 * @param onLine Called with each line, in the room's order.
 * @param name The observer's name in the user list.
 */
export function observeRoom(room: ChatRoom, onLine: (line: ChatLineMessage) => void, name = "observer"): void {
  const handlers = room.server.socketHandlers;
  const socket: ServerSocket = {
    protocol: "json",
    origin: undefined,
    remoteAddress: "in-process observer",
    data: { id: 0, name: undefined },
    bufferedAmount: 0,
    send(frame) {
      const message = JSON.parse(frame);
      if (message.type === "id") {
        void handlers.message(socket, JSON.stringify({ type: "username", id: message.id, name, date: Date.now() }));
      } else if (message.type === "message") {
        onLine(message);
      }
      return true;
    },
    close() {},
    subscribe() {},
    unsubscribe() {},
  };
  void handlers.open?.(socket);
}
