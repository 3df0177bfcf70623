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
import { frameExceeds, type Serve } from "../../server/contract.ts";
import { LatestPacer } from "./latest_pacer.ts";
import type { Limits } from "../../server/policy.ts";
import { chatProtocol, type ServerMessage } from "../../generated/chat.ts";
import {
  type SignalingClientMessage,
  signalingProtocol,
  type SignalingServerMessage,
} from "../../generated/signaling.ts";
import { Cluster } from "../../backplane/cluster.ts";
import { MemoryHub } from "../../backplane/memory.ts";
import type { NameStore, UserList } from "./name_store.ts";
import { MemoryNames } from "./memory_names.ts";
import { type Published, RoomCluster } from "./room_cluster.ts";
import { stripTags } from "./strip_tags.ts";
import { checkName } from "./names.ts";

/**
 * The room's limits where they differ from the typed server's defaults: 20 frames a second in bursts of 50, frames up
 * to 512 KiB, and at most 100 connections at once from one address (a crowd behind one NAT fits; one host cannot
 * hold thousands of anonymous connections).
 */
export const CHAT_LIMITS: Limits = {
  framesPerSecond: 20,
  burst: 50,
  maxFrameBytes: 512 * 1024,
  maxConnectionsPerAddress: 100,
};

/** The largest frame the room relays from one client to another, by default: a WebRTC offer is a few KiB. */
export const MAX_RELAY_BYTES = 32 * 1024;

/** The most names a user list holds (the schema's `@maxItems` on `users`): a room this full refuses the next login. */
export const MAX_USERS = 10_000;

/** The close code for a login into a full room: 1013, try again later. */
export const ROOM_FULL = 1013;

/**
 * How often the room sends a user list: a burst of this many at once, then at most `USER_LISTS_PER_SECOND`, each
 * the latest (MDN's sample sends one per login and per leave, to everyone: quadratic in a crowd that joins).
 */
export const USER_LIST_BURST = 10;
/** See {@link USER_LIST_BURST}. */
export const USER_LISTS_PER_SECOND = 4;

/** How long a connection may stay without logging in before the room closes it with 1008, by default. */
export const LOGIN_TIMEOUT = 30_000;

/** The types only the server sends: a client that sends one is refused, whatever the options. */
const SERVER_ONLY = new Set<string>(
  chatProtocol.server.types.filter((type) => !(chatProtocol.client.types as readonly string[]).includes(type)),
);

/** How the room treats its clients. */
export interface ChatRoomOptions {
  /**
   * The instances sharing the room: its frames go to every instance on the topic `chat:<room>` (the name store's
   * `room`), and an instance that dies or leaves has its names dropped. The room's typed server starts it in
   * `listen()`; `dispose()` leaves it. `new Cluster(new RedisBackplane(url))` for instances on several machines
   * (with `RedisNames`). @default a cluster of this instance alone, in memory
   */
  readonly cluster?: Cluster;
  /**
   * Where the room's names and client ids live: `MemoryNames` (one process), or `RedisNames` (instances sharing one
   * room). `dispose()` drops this instance's names and closes it. @default a new MemoryNames
   */
  readonly names?: NameStore;
  /**
   * The typed server's limits. Behind a reverse proxy every client has the proxy's address: raise
   * `maxConnectionsPerAddress` there. @default CHAT_LIMITS (20 frames a second, bursts of 50, 512 KiB frames, 100
   * connections per address) over the server's defaults
   */
  readonly limits?: Limits;
  /** Browser origins allowed to connect (others get 403; clients without an `Origin`, such as bots, get in). */
  readonly origins?: readonly string[];
  /** Told about every client the room disconnects, and why. @default a line on the console */
  readonly onRefusal?: (refusal: Refusal) => void;
  /**
   * MDN's pass-through: relay messages of types the room does not know, unchanged, to everyone or to the client
   * named in `target`. Off by default, such a message closes its sender with 1008. Even on, only logged-in clients
   * are relayed, never a type the server itself sends (`id`, `userlist`, `rejectusername`), and never a frame above
   * `maxRelayBytes`. @default false
   */
  readonly relayUnknown?: boolean;
  /** The largest frame relayed from one client to others (signalling, and pass-through when on), in bytes. @default 32768 */
  readonly maxRelayBytes?: number;
  /** Milliseconds a connection may stay without logging in; then 1008 `log in within ...`. @default 30000 */
  readonly loginTimeout?: number;
  /**
   * The most logged-in users (across every instance sharing the room); the next login is closed with 1013 and
   * `the room is full`. At most, and by default, 10,000: the schema's bound on a user list.
   */
  readonly maxUsers?: number;
}

/** A client the room disconnected, and why. */
export interface Refusal {
  readonly id: number;
  readonly name: string | undefined;
  /**
   * The close code sent: 1003, 1007, 1008, 1009; 1011 when the names could not be reached for a login or the name was
   * lost.
   */
  readonly code: number;
  readonly reason: string;
}

/**
 * What the room keeps with each connection (the connection's `data`): plain JSON, so that a Durable Object keeps it
 * through hibernation.
 */
interface Member {
  id: number;
  name: string | undefined;
  /** When it logged in (or renamed), in ms since the epoch: the user list's order, rebuilt after hibernation. */
  since?: number;
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
 * `userlist` when someone leaves; a signalling message passed on to the
 * client named in its `target`.
 *
 * Where the sample lets a client speak as the server, this room does not: it
 * relays only signalling, validated, from logged-in clients, with the
 * caller's `name` set by the server and at most `maxRelayBytes`; a type only
 * the server sends, and by default any type it does not know, closes the
 * sender with 1008 (`relayUnknown` keeps the sample's pass-through for other
 * types). A name is cleaned up (NFC, spaces) or refused with 1008 (invisible,
 * control and bidi characters: `checkName`), and a look-alike of a name in use
 * (`nameKeys`: `Alice`, `аlice` in Cyrillic) gets digits appended as a taken
 * name does. A connection that never logged in changes no list and must log in
 * within `loginTimeout`; user lists are sent at a bounded rate, the latest
 * only; a full room (`maxUsers`) closes the next login with 1013.
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
  /** Closes a connection that has not logged in by then; cleared at login and at close. */
  readonly #deadlines = new Map<Client, ReturnType<typeof setTimeout>>();
  /** Clients back after hibernation, whose names the room takes back together once they are all back. */
  #waking: Client[] = [];
  readonly #shared: RoomCluster;
  readonly #report: (refusal: Refusal) => void;
  readonly #relayUnknown: boolean;
  readonly #maxRelayBytes: number;
  readonly #maxUsers: number;
  readonly #loginTimeout: number;
  /** User lists go out at a bounded rate, the latest only. */
  readonly #lists = new LatestPacer<UserList>(
    (list) => this.#sendUsers(list),
    USER_LISTS_PER_SECOND,
    USER_LIST_BURST,
    (a, b) => a.version >= b.version,
  );
  /** The last user list delivered (a frame, decoded only when `users` is read), and its version. */
  #usersFrame: string | undefined;
  #usersVersion = 0;

  /** @param options Limits, the cluster and the names, allowed origins, and where refusals are reported. */
  constructor(options: ChatRoomOptions = {}) {
    this.#maxUsers = options.maxUsers ?? MAX_USERS;
    if (!(this.#maxUsers >= 1 && this.#maxUsers <= MAX_USERS)) {
      throw new RangeError(
        `maxUsers must be 1 to ${MAX_USERS} (the schema's bound on a user list), not ${this.#maxUsers}`,
      );
    }
    this.#loginTimeout = options.loginTimeout ?? LOGIN_TIMEOUT;
    if (!(this.#loginTimeout > 0)) throw new RangeError(`loginTimeout must be above 0 ms, not ${this.#loginTimeout}`);
    const cluster = options.cluster ?? new Cluster(new MemoryHub().backplane(), { alone: true });
    const report = options.onRefusal ??
      (({ id, name, code, reason }: Refusal) =>
        console.warn(`chat: disconnected client ${id}${name ? ` (${name})` : ""}: ${code} ${reason}`));
    this.server = createServer(signalingProtocol, {
      cluster,
      limits: { ...CHAT_LIMITS, ...options.limits },
      ...(options.origins && { origins: options.origins }),
      upgrade: (): Member => ({ id: 0, name: undefined }),
      open: (client) => this.#open(client),
      restored: (client) => this.#restored(client),
      close: (client) => this.#leave(client),
      onRefusal: ({ conn, code, reason }) => {
        report({ id: conn.data.id, name: conn.data.name, code, reason });
        this.#leave(conn);
      },
      onUnknown: (message, client, frame) => this.#passThrough(client, message, frame),
      handlers: {
        username: (message, client) =>
          this.#owns(client, message.id) ? this.#login(client, message.name, message.date) : undefined,
        message: (message, client) => {
          if (!this.#owns(client, message.id) || !this.#loggedIn(client, "chatting")) return;
          const { id, name } = client.data as { id: number; name: string };
          this.#publish({ type: "message", id, name, text: stripTags(message.text), date: message.date });
        },
        "video-offer": (message, client, frame) => this.#signal(client, frame, message),
        "video-answer": (message, client, frame) => this.#signal(client, frame, message),
        "new-ice-candidate": (message, client, frame) => this.#signal(client, frame, message),
        "hang-up": (message, client, frame) => this.#signal(client, frame, message),
      },
    });
    this.#shared = new RoomCluster(cluster, options.names ?? new MemoryNames(), {
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
    this.#relayUnknown = options.relayUnknown ?? false;
    this.#maxRelayBytes = options.maxRelayBytes ?? MAX_RELAY_BYTES;
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

  /**
   * Frames this instance could not hand to its cluster (the engine was unreachable): no client of any instance
   * received them.
   */
  get unpublished(): number {
    return this.#shared.unpublished;
  }

  /**
   * Drops this instance's names, closes the name store and leaves the cluster (the other instances publish the user
   * list when they see it leave). Call it after the server's `stop()`, which closes the clients.
   */
  async dispose(): Promise<void> {
    this.#lists.stop();
    await this.#shared.close();
    await this.#shared.cluster.close();
  }

  /** A connection opened: give it an id. */
  #open(client: Client): void {
    try {
      client.data.id = this.#shared.nextId();
    } catch (error) {
      client.close(1011, `no client id: ${(error as Error).message}`);
      return;
    }
    this.#members.add(client);
    this.#awaitLogin(client);
    client.send({ type: "id", id: client.data.id });
  }

  #awaitLogin(client: Client): void {
    this.#deadlines.set(
      client,
      setTimeout(() => {
        this.#deadlines.delete(client);
        if (client.data.name === undefined) {
          this.#refuse(client, 1008, `log in (send a username message) within ${this.#loginTimeout} ms`);
        }
      }, this.#loginTimeout),
    );
  }

  /**
   * A client back after the room's Durable Object hibernated (it keeps its id and name in its data): a member again;
   * once every client is back, the room holds their names again, in login order, and sends nothing.
   */
  #restored(client: Client): void {
    this.#members.add(client);
    if (client.data.name === undefined) this.#awaitLogin(client);
    else this.#byName.set(client.data.name, client);
    if (this.#waking.push(client) === 1) queueMicrotask(() => this.#woke());
  }

  #woke(): void {
    const clients = this.#waking.map(({ data }) => data).sort((a, b) => (a.since ?? 0) - (b.since ?? 0) || a.id - b.id);
    this.#waking = [];
    const taken = this.#shared.adopt(clients.map(({ id, name }) => ({ id, name })));
    if (taken instanceof Promise) taken.then((list) => this.#heardUsers(list), () => {});
    else this.#heardUsers(taken);
  }

  /** A user list this instance did not send (names taken back): the one `users` reads, sent to no one. */
  #heardUsers({ users, version }: UserList): void {
    if (version <= this.#usersVersion) return;
    this.#usersVersion = version;
    this.#usersFrame = encodeOrThrow(chatProtocol.server.encode, { type: "userlist", users: [...users] });
  }

  #owns(client: Client, id: number): boolean {
    if (id === client.data.id) return true;
    this.#refuse(client, 1008, `the id ${id} is not this client's (${client.data.id})`);
    return false;
  }

  /**
   * Claims a name, cleaned up (`checkName`), or refuses it with 1008; returns a promise when the name store answers
   * later (the typed server holds later frames).
   */
  #login(client: Client, requested: string, date: number): Promise<void> | void {
    const checked = checkName(requested);
    if (!checked.ok) return this.#refuse(client, 1008, `name refused: ${checked.reason}`);
    const member = client.data;
    const present = () => this.#members.has(client);
    const announce = ({ name, users, version }: { name: string } & UserList) => {
      // Only a login can make the list longer (a rename replaces a name): over the bound, the claim is undone.
      if (users.length > this.#maxUsers) {
        Promise.resolve(this.#shared.release(member.id, name)).catch(() => {});
        return this.#refuse(client, ROOM_FULL, `the room is full: ${this.#maxUsers} users`);
      }
      if (present() && name !== requested) client.send({ type: "rejectusername", id: member.id, name });
      // The client left while its name was claimed (or was too slow for the rejectusername): give the name back.
      if (!present()) return this.#publishUsersAfter(this.#shared.release(member.id, name));
      if (member.name !== undefined && this.#byName.get(member.name) === client) this.#byName.delete(member.name);
      clearTimeout(this.#deadlines.get(client));
      this.#deadlines.delete(client);
      member.name = name;
      member.since = Date.now();
      this.#byName.set(name, client);
      this.#publishUsers({ users, version });
      this.#publish({ type: "username", id: member.id, name, date });
    };
    const claim = this.#shared.claimName(member.id, checked.name, member.name);
    if (!(claim instanceof Promise)) return announce(claim);
    return claim.then(announce, (error: Error) => {
      if (present()) this.#refuse(client, 1011, `could not log in: ${error.message}`);
    });
  }

  /** Whether a client has logged in; one that has not is refused for `doing` what it tried. */
  #loggedIn(client: Client, doing: string): boolean {
    if (client.data.name !== undefined) return true;
    this.#refuse(client, 1008, `log in (send a username message) before ${doing}`);
    return false;
  }

  /** Whether a client may have this frame relayed: logged in, and the frame within the relay limit; else refused. */
  #mayRelay(client: Client, frame: string, type: string): boolean {
    if (!this.#loggedIn(client, `sending ${JSON.stringify(type)}`)) return false;
    if (frameExceeds(frame, this.#maxRelayBytes)) {
      this.#refuse(client, 1009, `a ${JSON.stringify(type)} message of more than ${this.#maxRelayBytes} bytes`);
      return false;
    }
    return true;
  }

  /**
   * Relays a signalling message, validated, to the client it names; the caller's `name` is set by the server, as a
   * chat line's is, so no one calls in another's name.
   */
  #signal(client: Client, frame: string, message: SignalingClientMessage & { target: string }): void {
    if (!this.#mayRelay(client, frame, message.type)) return;
    const relayed = ("name" in message ? { ...message, name: client.data.name } : message) as SignalingServerMessage;
    this.#shared.publish({ frame: encodeOrThrow(signalingProtocol.server.encode, relayed), target: message.target });
  }

  /** A message of a type the room does not know: refused, or (MDN's pass-through) relayed unchanged. */
  #passThrough(client: Client, message: Readonly<Record<string, unknown>>, frame: string): void {
    const type = String(message.type);
    if (SERVER_ONLY.has(type)) {
      return this.#refuse(client, 1008, `${JSON.stringify(type)} messages are the server's: a client may not send one`);
    }
    if (!this.#relayUnknown) {
      return this.#refuse(
        client,
        1008,
        `unknown message type ${JSON.stringify(type)}: this room relays only signalling`,
      );
    }
    if (!this.#mayRelay(client, frame, type)) return;
    const target = message.target;
    this.#shared.publish(typeof target === "string" && target !== "" ? { frame, target } : { frame });
  }

  #publish(message: ServerMessage): void {
    this.#shared.publish({ frame: encodeOrThrow(chatProtocol.server.encode, message) });
  }

  #publishUsers(list: UserList): void {
    this.#lists.offer(list);
  }

  #sendUsers({ users, version }: UserList): void {
    this.#shared.publish({
      frame: encodeOrThrow(chatProtocol.server.encode, { type: "userlist", users: [...users] }),
      version,
    });
  }

  /**
   * What the cluster delivers: a frame for this instance's clients. A user list no newer than the last is dropped
   * (each instance that sees another die publishes the list after dropping its names: the same list).
   */
  #hear({ frame, target, version }: Published): void {
    if (version !== undefined) {
      if (version <= this.#usersVersion) return;
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

  /**
   * A client left (or was refused): drop it and, if it had logged in, tell everyone who is left. One that never
   * logged in changes no list, so its leaving sends nothing (MDN's sample sends everyone a list at every close, which
   * lets connect-and-drop churn flood the room).
   */
  #leave(client: Client): void {
    if (!this.#members.delete(client)) return;
    clearTimeout(this.#deadlines.get(client));
    this.#deadlines.delete(client);
    const name = client.data.name;
    if (name === undefined) return;
    if (this.#byName.get(name) === client) this.#byName.delete(name);
    this.#publishUsersAfter(this.#shared.release(client.data.id, name));
  }

  #publishUsersAfter(list: UserList | Promise<UserList>): void {
    if (!(list instanceof Promise)) this.#publishUsers(list);
    else list.then((after) => this.#publishUsers(after), () => {});
  }
}
