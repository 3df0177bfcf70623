/**
 * The reference chat room: the server side of MDN's chat protocol, typed by
 * the generated codecs and written against the runtime-neutral socket
 * contract, so `Bun.serve` and `Deno.serve` run it unchanged.
 *
 * @module
 */
import type { ServerSocket, SocketHandlers } from "../../server/contract.ts";
import { chatProtocol, type ServerMessage } from "../../generated/chat.ts";
import { signalingProtocol } from "../../generated/signaling.ts";
import { MemoryBackend, type Published, type RoomBackend, type UserList } from "./backend.ts";
import { TokenBucket } from "./rate_limit.ts";
import { stripTags } from "./strip_tags.ts";

/** How the room treats its clients. */
export interface ChatRoomOptions {
  /**
   * Where the room's shared state lives: `MemoryBackend` (one process), or `RedisBackend` (instances sharing one
   * room). @default a new MemoryBackend
   */
  readonly backend?: RoomBackend;
  /** Frames a client may send per second, sustained. @default 20 */
  readonly framesPerSecond?: number;
  /** Frames a client may send at once. @default 50 */
  readonly burst?: number;
  /** Bytes that may wait unsent to one client before it is disconnected as too slow. @default 1048576 */
  readonly maxUnsentBytes?: number;
  /** Told about every client the room disconnects, and why. @default a line on the console */
  readonly onRefusal?: (refusal: Refusal) => void;
}

/** A client the room disconnected, and why. */
export interface Refusal {
  readonly id: number;
  readonly name: string | undefined;
  /** The close code sent: 1003, 1007 or 1008; 1011 when the shared state could not be reached for a login or lost the name. */
  readonly code: number;
  readonly reason: string;
}

interface Member {
  readonly socket: ServerSocket;
  readonly id: number;
  name: string | undefined;
  readonly bucket: TokenBucket;
  /** While a login waits for shared state, the frames after it wait too: each client's frames are handled in order. */
  pending: Promise<void> | undefined;
}

/** A close reason may hold at most 123 bytes of UTF-8: longer ones are cut at a character boundary. */
function shortReason(reason: string): string {
  const encoder = new TextEncoder();
  if (encoder.encode(reason).length <= 123) return reason;
  let cut = "";
  for (const character of reason) {
    if (encoder.encode(cut + character).length > 120) break;
    cut += character;
  }
  return `${cut}...`;
}

/**
 * A chat room. Pass it as the handlers of an adapter's `serve()`.
 *
 * What it does, as `chat.md` describes the MDN sample server: an `id` for each
 * new connection; on `username`, a unique name (digits from one counter shared
 * by the room appended when taken, with `rejectusername` to that client), then
 * a `userlist` and the `username` broadcast to everyone; on `message`, the
 * sender's name set and HTML tags stripped, broadcast to everyone; a fresh
 * `userlist` when someone leaves; any other type passed through unchanged,
 * to everyone or only to the client named in `target`.
 *
 * Where the sample crashes, the room disconnects the one client, with a
 * reason, and carries on: 1007 for a frame that is not a JSON object, 1003 for
 * a binary frame, 1008 for a message that breaks the schema, names an id that
 * is not the sender's, chats before logging in or has no `type`, for a client
 * over its rate limit, and for one too slow to read what it is sent.
 *
 * @example
 * ```ts
 * import { ChatRoom } from "./room.ts";
 * import { serve } from "../../server/deno/mod.ts";
 * const room = new ChatRoom();
 * const server = await serve({ port: 6502, selectProtocol: (offered) => offered.find((p) => p === "json") }, room);
 * await server.stop();
 * ```
 */
export class ChatRoom implements SocketHandlers {
  readonly #members = new Map<ServerSocket, Member>();
  readonly #byName = new Map<string, Member>();
  readonly #options: ChatRoomOptions;
  readonly #backend: RoomBackend;
  /** The last user list delivered (a frame, decoded only when `users` is read), and its version. */
  #usersFrame: string | undefined;
  #usersVersion = 0;

  /** @param options Limits, the backend, and where refusals are reported. */
  constructor(options: ChatRoomOptions = {}) {
    this.#options = options;
    this.#backend = options.backend ?? new MemoryBackend();
    this.#backend.listen({
      deliver: (message) => this.#hear(message),
      usersChanged: (list) => this.#publishUsers(list),
      namesLost: (ids) => {
        for (const member of this.#members.values()) {
          if (ids.includes(member.id)) {
            this.#refuse(member, 1011, "the room lost this name while its shared state was unreachable: log in again");
          }
        }
      },
    });
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

  /** A connection opened: give it an id. */
  open(socket: ServerSocket): void {
    let id: number;
    try {
      id = this.#backend.nextId();
    } catch (error) {
      socket.close(1011, shortReason(`no client id: ${(error as Error).message}`));
      return;
    }
    const member: Member = {
      socket,
      id,
      name: undefined,
      bucket: new TokenBucket(this.#options.framesPerSecond ?? 20, this.#options.burst ?? 50),
      pending: undefined,
    };
    this.#members.set(socket, member);
    this.#send([member], { type: "id", id: member.id });
  }

  /** A frame arrived. */
  message(socket: ServerSocket, data: string | Uint8Array): void {
    const member = this.#members.get(socket);
    if (member === undefined) return;
    if (!member.bucket.take()) {
      this.#refuse(member, 1008, `rate limit: more than ${this.#options.framesPerSecond ?? 20} frames a second`);
      return;
    }
    const pending = member.pending;
    const handle = () => this.#members.has(socket) ? this.#handle(member, data) : undefined;
    this.#wait(member, pending === undefined ? handle() : pending.then(handle, handle));
  }

  /**
   * Makes the client's next frames wait for `work` (a login waiting for shared state, or frames queued behind
   * one); once it is done and nothing else waits, they run at once again.
   */
  #wait(member: Member, work: Promise<void> | void): void {
    if (work === undefined) return;
    member.pending = work;
    work.catch(() => {}).finally(() => {
      if (member.pending === work) member.pending = undefined;
    });
  }

  /** Handles one frame; returns a promise when it waits for shared state (a login), for later frames to wait on. */
  #handle(member: Member, data: string | Uint8Array): Promise<void> | void {
    if (typeof data !== "string") {
      this.#refuse(member, 1003, "binary frames are not part of the chat protocol");
      return;
    }
    const decoded = signalingProtocol.client.decode(data);
    if (!decoded.ok) {
      const error = decoded.error;
      if (error.kind === "unknown-type" && typeof error.type === "string") this.#relay(data, JSON.parse(data).target);
      else if (error.kind === "not-json" || error.kind === "not-object") this.#refuse(member, 1007, error.message);
      else this.#refuse(member, 1008, error.message);
      return;
    }
    const message = decoded.value;
    switch (message.type) {
      case "username":
        return this.#owns(member, message.id) ? this.#login(member, message.name, message.date) : undefined;
      case "message":
        if (!this.#owns(member, message.id)) return;
        if (member.name === undefined) {
          this.#refuse(member, 1008, "log in (send a username message) before chatting");
          return;
        }
        this.#publish({
          type: "message",
          id: member.id,
          name: member.name,
          text: stripTags(message.text),
          date: message.date,
        });
        return;
      default:
        this.#relay(data, message.target);
    }
  }

  /** A connection closed: drop the client and tell everyone who is left. */
  close(socket: ServerSocket): void {
    const member = this.#members.get(socket);
    if (member === undefined) return;
    this.#leave(member);
  }

  /** Stops using the backend (its connections and heartbeats); the clients are the server's to close. */
  dispose(): Promise<void> {
    return this.#backend.close();
  }

  #owns(member: Member, id: number): boolean {
    if (id === member.id) return true;
    this.#refuse(member, 1008, `the id ${id} is not this client's (${member.id})`);
    return false;
  }

  /** Claims a name; returns a promise when the backend answers later (frames after it wait for it). */
  #login(member: Member, requested: string, date: number): Promise<void> | void {
    const present = () => this.#members.has(member.socket);
    const announce = ({ name, users, version }: { name: string } & UserList) => {
      if (present() && name !== requested) this.#send([member], { type: "rejectusername", id: member.id, name });
      // The client left while its name was claimed (or was too slow for the rejectusername): give the name back.
      if (!present()) return this.#publishUsersAfter(this.#backend.release(member.id, name));
      if (member.name !== undefined && this.#byName.get(member.name) === member) this.#byName.delete(member.name);
      member.name = name;
      this.#byName.set(name, member);
      this.#publishUsers({ users, version });
      this.#publish({ type: "username", id: member.id, name, date });
    };
    const claim = this.#backend.claimName(member.id, requested, member.name);
    if (!(claim instanceof Promise)) return announce(claim);
    return claim.then(announce, (error: Error) => {
      if (present()) this.#refuse(member, 1011, `could not log in: ${error.message}`);
    });
  }

  /** Passes a frame through unchanged: to the client named `target`, or to everyone. */
  #relay(frame: string, target: unknown): void {
    this.#backend.publish(typeof target === "string" && target !== "" ? { frame, target } : { frame });
  }

  #publish(message: ServerMessage): void {
    this.#backend.publish({ frame: this.#encode(message) });
  }

  #publishUsers({ users, version }: UserList): void {
    this.#backend.publish({ frame: this.#encode({ type: "userlist", users: [...users] }), version });
  }

  /** What the backend delivers: a frame for this instance's clients (a stale user list is dropped). */
  #hear({ frame, target, version }: Published): void {
    if (version !== undefined) {
      if (version < this.#usersVersion) return;
      this.#usersVersion = version;
      this.#usersFrame = frame;
    }
    if (target === undefined) {
      this.#deliver([...this.#members.values()], frame);
      return;
    }
    const recipient = this.#byName.get(target);
    if (recipient !== undefined) this.#deliver([recipient], frame);
  }

  #send(recipients: readonly Member[], message: ServerMessage): void {
    this.#deliver(recipients, this.#encode(message));
  }

  #encode(message: ServerMessage): string {
    const encoded = chatProtocol.server.encode(message);
    if (!encoded.ok) throw new Error(`the chat room built an invalid message: ${encoded.error.message}`);
    return encoded.frame;
  }

  /** Sends one frame to each recipient, then disconnects any whose unsent data passed the limit. */
  #deliver(recipients: readonly Member[], frame: string): void {
    const limit = this.#options.maxUnsentBytes ?? 1024 * 1024;
    const slow: Member[] = [];
    for (const member of recipients) {
      member.socket.send(frame);
      if (member.socket.bufferedAmount > limit) slow.push(member);
    }
    for (const member of slow) {
      if (this.#members.has(member.socket)) {
        this.#refuse(member, 1008, `too slow: more than ${limit} bytes waiting to be sent`);
      }
    }
  }

  #refuse(member: Member, code: number, reason: string): void {
    const refusal: Refusal = { id: member.id, name: member.name, code, reason };
    const report = this.#options.onRefusal ??
      (() =>
        console.warn(
          `chat: disconnected client ${member.id}${member.name ? ` (${member.name})` : ""}: ${code} ${reason}`,
        ));
    report(refusal);
    this.#leave(member);
    member.socket.close(code, shortReason(reason));
  }

  #leave(member: Member): void {
    this.#members.delete(member.socket);
    const name = member.name;
    if (name !== undefined && this.#byName.get(name) === member) this.#byName.delete(name);
    this.#publishUsersAfter(this.#backend.release(member.id, name));
  }

  #publishUsersAfter(list: UserList | Promise<UserList>): void {
    if (!(list instanceof Promise)) this.#publishUsers(list);
    else list.then((after) => this.#publishUsers(after), () => {});
  }
}
