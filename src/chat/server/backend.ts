/**
 * Where a chat room keeps what its instances share: client ids, the names in
 * use and the user list, and the fan-out of frames to every instance's
 * clients. One process uses `MemoryBackend`; several instances behind a load
 * balancer share one room through `RedisBackend` (`./redis.ts`), so
 * every instance's clients see one room.
 *
 * @module
 */
import { nameKeys } from "./names.ts";

/** The user list after a change, and its version: it grows with every change, so a stale list can be told apart. */
export interface UserList {
  readonly users: readonly string[];
  readonly version: number;
}

/** What a login or rename gave: the name (the one asked for, or it with digits appended), and the user list after. */
export interface NameClaim extends UserList {
  readonly name: string;
}

/** A frame for the room's clients: every client of every instance, or only the client named `target`. */
export interface Published {
  /** The frame, as the generated encoder wrote it: backends carry it unchanged. */
  readonly frame: string;
  readonly target?: string;
  /** Set on user lists: the list's version. */
  readonly version?: number;
}

/** What a backend tells the room of its instance. */
export interface BackendEvents {
  /** A frame any instance published, in the order every instance hears it. */
  deliver(message: Published): void;
  /** The user list changed without a client of this instance asking (another instance died): publish it. */
  usersChanged(list: UserList): void;
  /** These clients' names went to others while the shared state was unreachable: they must log in again. */
  namesLost(ids: readonly number[]): void;
}

/** Synchronous where the state is local, asynchronous where it is shared. */
export type Maybe<T> = T | Promise<T>;

/**
 * The seam between the room and the state it shares.
 *
 * @example A backend is passed to the room
 * ```ts
 * import { ChatRoom } from "./room.ts";
 * import { MemoryBackend } from "./backend.ts";
 * const room = new ChatRoom({ backend: new MemoryBackend() });
 * ```
 */
export interface RoomBackend {
  /** A fresh client id, unique across every instance sharing the room. */
  nextId(): number;
  /**
   * Logs client `id` in under `requested`, or renames it from `previous`: while another client holds the name or a
   * look-alike (a key in common: `nameKeys`), digits from one counter shared by the room are appended (`bot`, then `bot1`,
   * `bot2`...).
   */
  claimName(id: number, requested: string, previous: string | undefined): Maybe<NameClaim>;
  /** Forgets a client that left (with its name, if it had one): the user list after. */
  release(id: number, name: string | undefined): Maybe<UserList>;
  /** Sends a frame to the room: `listen`'s handler of every instance gets it, in the same order everywhere. */
  publish(message: Published): void;
  /** Where this instance's room hears what is published, and about changes no client of its own asked for. */
  listen(events: BackendEvents): void;
  /** Lets go of shared resources (connections, heartbeats); the room's clients are the caller's to close. */
  close(): Promise<void>;
}

/**
 * The room's state in this process: nothing to install, nothing shared.
 * Everything happens synchronously, so a room on it behaves exactly as a
 * single MDN server does.
 */
export class MemoryBackend implements RoomBackend {
  /** Which client holds each name key. */
  readonly #holders = new Map<string, number>();
  /** Each logged-in client's name, in login order. */
  readonly #users = new Map<number, string>();
  /** Ids count up from the time the room was made, as the MDN sample's do. */
  #nextId = Date.now();
  #counter = 1;
  #version = 0;
  #events: BackendEvents | undefined;

  nextId(): number {
    return this.#nextId++;
  }

  claimName(id: number, requested: string, previous: string | undefined): NameClaim {
    let name = requested;
    while (nameKeys(name).some((key) => (this.#holders.get(key) ?? id) !== id)) name = requested + this.#counter++;
    if (previous !== undefined) this.#drop(id, previous);
    for (const key of nameKeys(name)) this.#holders.set(key, id);
    // A rename moves the client to the end of the list, as a fresh login does.
    this.#users.delete(id);
    this.#users.set(id, name);
    return { name, ...this.#list() };
  }

  release(id: number, name: string | undefined): UserList {
    if (name !== undefined) this.#drop(id, name);
    return this.#list();
  }

  #drop(id: number, name: string): void {
    for (const key of nameKeys(name)) if (this.#holders.get(key) === id) this.#holders.delete(key);
    if (this.#users.get(id) === name) this.#users.delete(id);
  }

  publish(message: Published): void {
    this.#events?.deliver(message);
  }

  listen(events: BackendEvents): void {
    this.#events = events;
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #list(): UserList {
    return { users: [...this.#users.values()], version: ++this.#version };
  }
}
