/**
 * A chat session for bots: joins any server of the MDN chat protocol with a
 * name, keeps its id, its (possibly server-assigned) name and the user list,
 * says things, and logs in again after every reconnection.
 *
 * @module
 */
import { TypewireClient } from "../client/client.ts";
import { nextMessage } from "../client/wait.ts";
import type { ClientOptions, UrlSource } from "../client/options.ts";
import type { SendStatus } from "../client/client.ts";
import {
  chatClientProtocol,
  type ChatLineMessage,
  type ClientMessage,
  type ServerMessage,
  type UsernameMessage,
} from "../generated/chat.ts";

/** How to join a chat. Every client option applies, but the handshake and `prepare`, which the session uses. */
export interface ChatSessionOptions
  extends Omit<ClientOptions<ServerMessage, ClientMessage, "type">, "handshake" | "prepare"> {
  /** The name to ask for on every login; the server may append digits to make it unique. */
  readonly name: string;
  /** How long a login may take: the server's `id`, then its `username` broadcast. @default 10000 */
  readonly loginTimeout?: number;
}

/**
 * What became of the lines a session said. The chat protocol has no
 * acknowledgements, but the server sends every line back to its sender too:
 * that echo is the session's proof of receipt.
 */
export interface ChatLineStats {
  /** Lines handed to `say` (and accepted by the client's queue). */
  said: number;
  /** Lines whose echo came back: the server received them and sent them to everyone. */
  confirmed: number;
  /**
   * Lines written to a connection that closed before their echo came back: the server may have received them or
   * not. Each is also reported to `onUnconfirmed` handlers. Lines said while disconnected are not counted here:
   * they wait in the client's queue and go out, once, after the next login.
   */
  unconfirmed: number;
}

/**
 * A logged-in presence in a chat room.
 *
 * @example A bot that greets everyone who signs in
 * ```ts
 * import { ChatSession } from "./session.ts";
 *
 * const chat = new ChatSession("ws://127.0.0.1:6502", { name: "greeter" });
 * chat.onSignIn((user) => user.id !== chat.id && chat.say(`hello, ${user.name}!`));
 * await chat.loggedIn();
 * ```
 */
export class ChatSession {
  /** The typed client underneath, for everything the session does not wrap. */
  readonly client: TypewireClient<ServerMessage, ClientMessage, "type">;
  /** Said, confirmed and unconfirmed lines, counted since the session started. */
  readonly lines: ChatLineStats = { said: 0, confirmed: 0, unconfirmed: 0 };
  readonly #requested: string;
  #id: number | undefined;
  #name: string;
  #users: readonly string[] = [];
  /** Lines waiting in the client's queue for a connection, oldest first. */
  #queued: ClientMessage[] = [];
  /** Lines written to the current connection whose echo has not come back, oldest first. */
  #awaitingEcho: string[] = [];
  readonly #unconfirmedHandlers = new Set<(lines: readonly string[]) => unknown>();

  /**
   * Connects and logs in; after every reconnection it logs in again, asking for the same name.
   *
   * @param url The chat server, e.g. `ws://127.0.0.1:6502` or `wss://...`; or a list of instances of one room, tried in
   *   turn (after a connection drops, the session logs in again at the next one).
   * @param options The name to ask for, and any client option.
   */
  constructor(url: UrlSource, options: ChatSessionOptions) {
    const { name, loginTimeout = 10_000, ...clientOptions } = options;
    this.#requested = name;
    this.#name = name;
    this.client = new TypewireClient(chatClientProtocol, url, {
      handshakeTimeout: loginTimeout,
      ...clientOptions,
      // Messages queued while disconnected carry the id of the connection they go out on.
      prepare: (message) => (this.#id === undefined ? message : { ...message, id: this.#id }),
      handshake: async (session) => {
        const { id } = await nextMessage(session.client, "id", { signal: session.signal });
        this.#id = id;
        session.send({ type: "username", id, name: this.#requested, date: Date.now() });
        // Logged in once the server confirms with its "username" broadcast (the handlers below adopt the name).
        await nextMessage(session.client, "username", { filter: (m) => m.id === id, signal: session.signal });
      },
    });
    const adopt = (m: { id: number; name: string }) => {
      if (m.id === this.#id) this.#name = m.name;
    };
    this.client.on("rejectusername", adopt);
    this.client.on("username", adopt);
    this.client.on("userlist", (m) => {
      this.#users = m.users.filter((user): user is string => user !== null);
    });
    this.#trackLines();
  }

  /** Follows each line from `say` to its echo, or to the loss of the connection it was written to. */
  #trackLines(): void {
    this.client.on("message", (m) => {
      // The server echoes a sender's lines in the order it received them.
      if (m.id === this.#id && this.#awaitingEcho.shift() !== undefined) this.lines.confirmed++;
    });
    // The queue is written out, in order, before "open": queued lines now wait for their echo.
    this.client.onEvent("open", () => {
      this.#awaitingEcho.push(...this.#queued.map((m) => (m as { text: string }).text));
      this.#queued = [];
    });
    this.client.onEvent("queueoverflow", ({ dropped }) => {
      this.#queued = this.#queued.filter((m) => m !== dropped);
    });
    this.client.onEvent("close", ({ willReconnect }) => {
      const lost = this.#awaitingEcho;
      this.#awaitingEcho = [];
      if (!willReconnect) this.#queued = [];
      if (lost.length === 0) return;
      this.lines.unconfirmed += lost.length;
      for (const handler of this.#unconfirmedHandlers) handler(lost);
    });
  }

  /** The id the server gave this connection; `undefined` before the first `id` message. */
  get id(): number | undefined {
    return this.#id;
  }

  /** The session's name: the one asked for, or the one the server assigned instead. */
  get name(): string {
    return this.#name;
  }

  /** The names in the server's latest user list (clients not logged in yet are left out). */
  get users(): readonly string[] {
    return this.#users;
  }

  /** Resolves once logged in (at once if logged in now). */
  loggedIn(): Promise<void> {
    if (this.client.readyState === TypewireClient.OPEN) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const stopOpen = this.client.onEvent("open", () => {
        stopClose();
        resolve();
      }, { once: true });
      const stopClose = this.client.onEvent("close", (event) => {
        if (event.willReconnect) return;
        stopOpen();
        reject(new Error(`the chat session closed before logging in (${event.code} ${event.reason})`));
      });
    });
  }

  /**
   * Says a line to everyone (queued until logged in, if need be).
   *
   * @param text The line; the server strips HTML tags from it.
   * @returns Whether it went out now or was queued.
   */
  say(text: string): SendStatus {
    const line: ClientMessage = { type: "message", id: this.#id ?? 0, text, date: Date.now() };
    const status = this.client.send(line);
    this.lines.said++;
    if (status === "sent") this.#awaitingEcho.push(text);
    else this.#queued.push(line);
    return status;
  }

  /**
   * Asks for another name; the server may append digits. `name` follows once it confirms.
   *
   * @param name The name to ask for.
   * @returns Whether the request went out now or was queued.
   */
  rename(name: string): SendStatus {
    return this.client.send({ type: "username", id: this.#id ?? 0, name, date: Date.now() });
  }

  /**
   * Calls `handler` with every chat line, this session's own included.
   *
   * @returns A function that removes the handler.
   */
  onLine(handler: (line: ChatLineMessage) => unknown): () => void {
    return this.client.on("message", handler);
  }

  /**
   * Calls `handler` for every sign-in (a login or a rename), this session's own included.
   *
   * @returns A function that removes the handler.
   */
  onSignIn(handler: (user: UsernameMessage) => unknown): () => void {
    return this.client.on("username", handler);
  }

  /**
   * Calls `handler` with the lines of a connection that closed before the server echoed them (see
   * `ChatLineStats.unconfirmed`). The server may or may not have them; saying them again may repeat them.
   *
   * @returns A function that removes the handler.
   * @example
   * ```ts
   * import { ChatSession } from "./session.ts";
   *
   * const chat = new ChatSession("ws://127.0.0.1:6502", { name: "reporter" });
   * chat.onUnconfirmed((lines) => console.warn(`${lines.length} lines may not have reached the room`));
   * ```
   */
  onUnconfirmed(handler: (lines: readonly string[]) => unknown): () => void {
    this.#unconfirmedHandlers.add(handler);
    return () => this.#unconfirmedHandlers.delete(handler);
  }

  /**
   * Calls `handler` with every new user list.
   *
   * @returns A function that removes the handler.
   */
  onUsers(handler: (users: readonly string[]) => unknown): () => void {
    return this.client.on("userlist", () => handler(this.#users));
  }

  /** Leaves the chat: closes the connection for good, after queued lines go out. */
  close(): Promise<void> {
    return this.client.close(1000, "bye");
  }
}
