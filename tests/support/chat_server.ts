/**
 * A minimal chat-protocol server for the chat layer's tests, until the
 * reference server exists: ids, unique names with the shared counter,
 * `rejectusername`, `userlist`, `username` and `message` broadcasts.
 */
import type { ServerSocket } from "../../src/server/contract.ts";
import { chatProtocol, type ServerMessage } from "../../src/generated/chat.ts";
import { loadServe, TestServer } from "./test_server.ts";

export async function startChatServer(): Promise<TestServer> {
  const names = new Map<ServerSocket, string>();
  const ids = new Map<ServerSocket, number>();
  let nextId = 1_732_500_000_000;
  let counter = 1;
  const everyone = (message: ServerMessage) => {
    const encoded = chatProtocol.server.encode(message);
    if (encoded.ok) { for (const socket of ids.keys()) socket.send(encoded.frame); }
  };
  const one = (socket: ServerSocket, message: ServerMessage) => {
    const encoded = chatProtocol.server.encode(message);
    if (encoded.ok) socket.send(encoded.frame);
  };
  const server = new TestServer(await loadServe(), { selectProtocol: (offered) => offered.find((p) => p === "json") }, {
    open: (socket) => {
      ids.set(socket, nextId);
      one(socket, { type: "id", id: nextId++ });
    },
    message: (socket, data) => {
      const decoded = chatProtocol.client.decode(String(data));
      if (!decoded.ok) return;
      const message = decoded.value;
      const id = ids.get(socket) as number;
      if (message.type === "username") {
        let name = message.name;
        const taken = (candidate: string) => [...names].some(([other, n]) => other !== socket && n === candidate);
        while (taken(name)) name = message.name + counter++;
        if (name !== message.name) one(socket, { type: "rejectusername", id, name });
        names.set(socket, name);
        everyone({ type: "userlist", users: [...names.values()] });
        everyone({ type: "username", id, name, date: message.date });
      } else {
        const name = names.get(socket) ?? "anonymous";
        everyone({ type: "message", id, name, text: message.text.replace(/<[^>]*>/g, ""), date: message.date });
      }
    },
    close: (socket) => {
      ids.delete(socket);
      names.delete(socket);
      everyone({ type: "userlist", users: [...names.values()] });
    },
  });
  await server.start();
  return server;
}
