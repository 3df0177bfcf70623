/**
 * The reference chat room: the server side of MDN's chat protocol, an
 * application of the typed server. The frame policy, the rate limit, the
 * slow-consumer cut and the Origin check are the server's; what stays here
 * is the chat protocol's rules.
 *
 * @module
 */
import { createServer, type ListeningServer, type ListenOptions, type TypedServer } from "../../server/typed_server.ts";
import { type Connection, encodeOrThrow } from "../../server/connection.ts";
import type { Serve } from "../../server/contract.ts";
import type { Limits } from "../../server/policy.ts";
import { chatProtocol, type ServerMessage } from "../../generated/chat.ts";
import { signalingProtocol, type SignalingServerMessage } from "../../generated/signaling.ts";
import { MemoryBackend, type Published, type RoomBackend, type UserList } from "./backend.ts";
import { stripTags } from "./strip_tags.ts";

/** The room's limits where they differ from the typed server's defaults. */
export const CHAT_LIMITS: Limits = { framesPerSecond: 20, burst: 50, maxFrameBytes: 512 * 1024 };

/** How the room treats its clients. */
export interface ChatRoomOptions {
  /**
   * Where the room's shared state lives: `MemoryBackend` (one process), or `RedisBackend` (instances sharing one
   * room). @default a new MemoryBackend
   */
  readonly backend?: RoomBackend;
  /** The typed server's limits. @default CHAT_LIMITS (20 frames a second, bursts of 50, 512 KiB frames) over the server's defaults */
  readonly limits?: Limits;
  /** Browser origins allowed to connect (others get 403; clients without an `Origin`, such as bots, get in). */
  readonly origins?: readonly string[];
  /** Told about every client the room disconnects, and why. @default a line on the console */
  readonly onRefusal?: (refusal: Refusal) => void;
}

/** A client the room disconnected, and why. */
export interface Refusal {
  readonly id: number;
  readonly name: string | undefined;
  /**
   * The close code sent: 1003, 1007, 1008, 1009; 1011 when the shared state could not be reached for a login or lost
   * the name.
   */
  readonly code: number;
  readonly reason: string;
}

/** What the room keeps with each connection (the connection's `data`). */
interface Member {
  id: number;
  name: string | undefined;
}

type Client = Connection<SignalingServerMessage, Member>;

/**
 * A chat room, on the typed server: `listen()` starts it on this runtime.
 *
 * What it does, as `chat.md` describes the MDN sample server: an `id` for each
 * new connection; on `username`, a unique name (digits from one counter shared
 * by the room appended when taken, with `rejectusername` to that client), then
 * a `userlist` and the `username` broadcast to everyone; on `message`, the
 * sender's name set and HTML tags stripped, broadcast to everyone; a fresh
 * `userlist` when someone leaves; any other type passed through unchanged,
 * to everyone or only to the client named in `target`.
 *
 * Where the sample crashes, the typed server's policy disconnects the one
 * client, with a reason, and carries on (README's table); the room adds 1008
 * for a message that names an id that is not the sender's or chats before
 * logging in.
 *
 * @example
 * ```ts
 * import { ChatRoom } from "./room.ts";
 * const room = new ChatRoom();
 * const listening = await room.listen({ port: 6502 });
 * await listening.stop();
 * await room.dispose();
 * ```
 */
export class ChatRoom {
  /** The typed server the room runs on. */
  readonly server: TypedServer<SignalingServerMessage, Member>;
  readonly #byName = new Map<string, Client>();
  readonly #members = new Set<Client>();
  readonly #backend: RoomBackend;
  readonly #report: (refusal: Refusal) => void;
  /** The last user list delivered (a frame, decoded only when `users` is read), and its version. */
  #usersFrame: string | undefined;
  #usersVersion = 0;

  /** @param options Limits, the backend, allowed origins, and where refusals are reported. */
  constructor(options: ChatRoomOptions = {}) {
    this.#backend = options.backend ?? new MemoryBackend();
    const report = options.onRefusal ??
      (({ id, name, code, reason }: Refusal) =>
        console.warn(`chat: disconnected client ${id}${name ? ` (${name})` : ""}: ${code} ${reason}`));
    this.server = createServer(signalingProtocol, {
      limits: { ...CHAT_LIMITS, ...options.limits },
      ...(options.origins && { origins: options.origins }),
      upgrade: (): Member => ({ id: 0, name: undefined }),
      open: (client) => this.#open(client),
      close: (client) => this.#leave(client),
      onRefusal: ({ conn, code, reason }) => {
        report({ id: conn.data.id, name: conn.data.name, code, reason });
        this.#leave(conn);
      },
      onUnknown: (message, _client, frame) => this.#relay(frame, message.target),
      handlers: {
        username: (message, client) =>
          this.#owns(client, message.id) ? this.#login(client, message.name, message.date) : undefined,
        message: (message, client) => {
          if (!this.#owns(client, message.id)) return;
          if (client.data.name === undefined) {
            return this.#refuse(client, 1008, "log in (send a username message) before chatting");
          }
          const { id, name } = client.data;
          this.#publish({ type: "message", id, name, text: stripTags(message.text), date: message.date });
        },
        "video-offer": (message, _client, frame) => this.#relay(frame, message.target),
        "video-answer": (message, _client, frame) => this.#relay(frame, message.target),
        "new-ice-candidate": (message, _client, frame) => this.#relay(frame, message.target),
        "hang-up": (message, _client, frame) => this.#relay(frame, message.target),
      },
    });
    this.#backend.listen({
      deliver: (message) => this.#hear(message),
      usersChanged: (list) => this.#publishUsers(list),
      namesLost: (ids) => {
        for (const client of this.#members) {
          if (ids.includes(client.data.id)) {
            this.#refuse(client, 1011, "the room lost this name while its shared state was unreachable: log in again");
          }
        }
      },
    });
    this.#report = report;
  }

  /**
   * Starts the room's server.
   *
   * @param options Where to listen, and plain HTTP (the page).
   * @param serve The adapter. @default this runtime's
   * @returns The listening server.
   */
  listen(options: ListenOptions = {}, serve?: Serve): Promise<ListeningServer> {
    return this.server.listen(options, serve);
  }

  /** The names of the logged-in clients, in the order they logged in (across every instance sharing the room). */
  get users(): string[] {
    const decoded = this.#usersFrame === undefined ? undefined : chatProtocol.server.decode(this.#usersFrame);
    if (decoded?.ok !== true || decoded.value.type !== "userlist") return [];
    return decoded.value.users.filter((user): user is string => user !== null);
  }

  /** How many clients are connected to this instance, logged in or not. */
  get size(): number {
    return this.#members.size;
  }

  /** Stops using the backend (its connections and heartbeats); the clients are the server's to close. */
  dispose(): Promise<void> {
    return this.#backend.close();
  }

  /** A connection opened: give it an id. */
  #open(client: Client): void {
    try {
      client.data.id = this.#backend.nextId();
    } catch (error) {
      client.close(1011, `no client id: ${(error as Error).message}`);
      return;
    }
    this.#members.add(client);
    client.send({ type: "id", id: client.data.id });
  }

  #owns(client: Client, id: number): boolean {
    if (id === client.data.id) return true;
    this.#refuse(client, 1008, `the id ${id} is not this client's (${client.data.id})`);
    return false;
  }

  /** Claims a name; returns a promise when the backend answers later (the typed server holds later frames). */
  #login(client: Client, requested: string, date: number): Promise<void> | void {
    const member = client.data;
    const present = () => this.#members.has(client);
    const announce = ({ name, users, version }: { name: string } & UserList) => {
      if (present() && name !== requested) client.send({ type: "rejectusername", id: member.id, name });
      // The client left while its name was claimed (or was too slow for the rejectusername): give the name back.
      if (!present()) return this.#publishUsersAfter(this.#backend.release(member.id, name));
      if (member.name !== undefined && this.#byName.get(member.name) === client) this.#byName.delete(member.name);
      member.name = name;
      this.#byName.set(name, client);
      this.#publishUsers({ users, version });
      this.#publish({ type: "username", id: member.id, name, date });
    };
    const claim = this.#backend.claimName(member.id, requested, member.name);
    if (!(claim instanceof Promise)) return announce(claim);
    return claim.then(announce, (error: Error) => {
      if (present()) this.#refuse(client, 1011, `could not log in: ${error.message}`);
    });
  }

  /** Passes a frame through unchanged: to the client named `target`, or to everyone. */
  #relay(frame: string, target: unknown): void {
    this.#backend.publish(typeof target === "string" && target !== "" ? { frame, target } : { frame });
  }

  #publish(message: ServerMessage): void {
    this.#backend.publish({ frame: encodeOrThrow(chatProtocol.server.encode, message) });
  }

  #publishUsers({ users, version }: UserList): void {
    this.#backend.publish({
      frame: encodeOrThrow(chatProtocol.server.encode, { type: "userlist", users: [...users] }),
      version,
    });
  }

  /** What the backend delivers: a frame for this instance's clients (a stale user list is dropped). */
  #hear({ frame, target, version }: Published): void {
    if (version !== undefined) {
      if (version < this.#usersVersion) return;
      this.#usersVersion = version;
      this.#usersFrame = frame;
    }
    if (target === undefined) {
      for (const client of this.#members) client.sendFrame(frame);
      return;
    }
    this.#byName.get(target)?.sendFrame(frame);
  }

  /** Closes a client for a rule of the chat protocol, and reports it as the policy's refusals are. */
  #refuse(client: Client, code: number, reason: string): void {
    if (!client.isOpen) return;
    this.#report({ id: client.data.id, name: client.data.name, code, reason });
    this.#leave(client);
    client.close(code, reason);
  }

  /** A client left (or was refused): drop it and tell everyone who is left. */
  #leave(client: Client): void {
    if (!this.#members.delete(client)) return;
    const name = client.data.name;
    if (name !== undefined && this.#byName.get(name) === client) this.#byName.delete(name);
    this.#publishUsersAfter(this.#backend.release(client.data.id, name));
  }

  #publishUsersAfter(list: UserList | Promise<UserList>): void {
    if (!(list instanceof Promise)) this.#publishUsers(list);
    else list.then((after) => this.#publishUsers(after), () => {});
  }
}
