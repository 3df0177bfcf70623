/**
 * Where a chat room keeps what is its own to share between instances: the
 * client ids, the names in use (look-alikes included), the user list and the
 * rename counter. Frames and liveness are the cluster's (`RoomCluster`). One
 * process uses `MemoryNames` (`./memory_names.ts`); instances on several
 * machines share `RedisNames` (`./redis_names.ts`).
 *
 * Every name is held by a client of an instance: the store can drop all of
 * an instance's names at once (it died, or left) and take them back (it was
 * only taken for dead, or the store lost them).
 *
 * @module
 */

/** The user list after a change, and its version: it grows with every change, so a stale list can be told apart. */
export interface UserList {
  readonly users: readonly string[];
  readonly version: number;
}

/** What a login or rename gave: the name (the one asked for, or it with digits appended), and the user list after. */
export interface NameClaim extends UserList {
  readonly name: string;
}

/** A client whose name an instance takes back; `name` is undefined while its claim is under way (it keeps its name). */
export interface HeldName {
  readonly id: number;
  readonly name: string | undefined;
}

/** The user list after a restore, and the clients whose name (or a look-alike) another client took meanwhile. */
export interface RestoredNames extends UserList {
  readonly lost: readonly number[];
}

/** Synchronous where the state is local, asynchronous where it is shared. */
export type Maybe<T> = T | Promise<T>;

/**
 * The seam between a chat room and the names it shares.
 *
 * @example A store is passed to the room
 * ```ts
 * import { ChatRoom } from "./room.ts";
 * import { MemoryNames } from "./memory_names.ts";
 * const room = new ChatRoom({ names: new MemoryNames() });
 * await room.dispose();
 * ```
 */
export interface NameStore {
  /** The room's name: instances whose stores name the same room are one room (its frames' topic is `chat:<room>`). */
  readonly room: string;
  /** A fresh client id, unique across every instance sharing the room. */
  nextId(): number;
  /**
   * Logs client `id` of `instance` in under `requested`, or renames it from `previous`: while another client holds
   * the name or a look-alike (a key in common: `nameKeys`), digits from one counter shared by the room are appended
   * (`bot`, then `bot1`, `bot2`...).
   */
  claimName(instance: string, id: number, requested: string, previous: string | undefined): Maybe<NameClaim>;
  /** Forgets a client that left (with its name, if it had one): the user list after. */
  release(instance: string, id: number, name: string | undefined): Maybe<UserList>;
  /**
   * Drops every name `instance`'s clients hold (it died, or left); idempotent. The user list after: its version
   * is unchanged when there was nothing to drop.
   */
  forget(instance: string): Maybe<UserList>;
  /**
   * Makes the room hold exactly `instance`'s names, after they may have been dropped (its instance was taken for
   * dead, or the store lost its data): a name nobody took meanwhile is given back, a name taken is reported `lost`,
   * a name of a client not listed is dropped.
   */
  restore(instance: string, clients: readonly HeldName[]): Maybe<RestoredNames>;
  /**
   * Hears the store come back after it was unreachable: it may have lost every name (a Redis restarted empty), so
   * each instance restores its own; the store reports itself restored once the listener's promise settles.
   *
   * @returns Stops listening.
   */
  onReconnect(listener: () => Promise<void>): () => void;
  /** Lets go of the store's connections; the names it holds are the caller's to `forget` first. */
  close(): Promise<void>;
}
