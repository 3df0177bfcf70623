/**
 * Clients the reliability scenarios open: well-behaved chat sessions, and
 * raw sockets that log in as MDN's client does and then misbehave.
 */
import { ChatSession } from "../../src/chat/mod.ts";
import { within } from "./verdict.ts";

/**
 * Opens a chat session per name, without reconnection, and waits until every one has logged in.
 *
 * @returns The sessions, in the order of the names.
 */
export async function joinSessions(url: string, names: readonly string[]): Promise<ChatSession[]> {
  const sessions = names.map((name) => new ChatSession(url, { name, reconnect: false }));
  await within(Promise.all(sessions.map((s) => s.loggedIn())), 30_000, "the sessions logging in");
  return sessions;
}

/** Closes sessions a hundred at a time. */
export async function closeAll(sessions: readonly ChatSession[]): Promise<void> {
  for (let i = 0; i < sessions.length; i += 100) await Promise.all(sessions.slice(i, i + 100).map((s) => s.close()));
}

/**
 * Connects with the standard WebSocket as MDN's client does: offers `json`, waits for its id, logs in.
 *
 * @param name The name to log in with, given the id.
 * @returns The open socket, and its id.
 */
export async function joinAsMdnClient(
  url: string,
  name: (id: number) => string,
): Promise<{ socket: WebSocket; id: number }> {
  const socket = new WebSocket(url, "json");
  const id = await within(
    new Promise<number>((resolve, reject) => {
      socket.onmessage = (event) => {
        const message = JSON.parse(String(event.data));
        if (message.type === "id") resolve(message.id);
      };
      socket.onerror = () => reject(new Error("could not connect"));
    }),
    10_000,
    "a raw client's id",
  );
  socket.send(JSON.stringify({ type: "username", id, name: name(id), date: Date.now() }));
  return { socket, id };
}
