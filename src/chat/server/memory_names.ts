/**
 * A chat room's names in this process: nothing to install, nothing shared
 * beyond the process. Everything happens synchronously, so a room on it
 * behaves exactly as a single MDN server does.
 *
 * @module
 */
import type { HeldName, NameClaim, NameStore, RestoredNames, UserList } from "./name_store.ts";
import { nameKeys } from "./names.ts";

/**
 * The names of a room in this process; several rooms of one process (each on its own instance of a `MemoryHub`)
 * may share one, and are then one room.
 *
 * @example
 * ```ts
 * import { MemoryNames } from "./memory_names.ts";
 * const names = new MemoryNames();
 * console.log(names.claimName("instance-1", names.nextId(), "ann", undefined)); // { name: "ann", ... }
 * ```
 */
export class MemoryNames implements NameStore {
  /** Which client ("instance/id") holds each name key. */
  readonly #holders = new Map<string, string>();
  /** Each logged-in client's name, in login order. */
  readonly #users = new Map<string, string>();
  /** Ids count up from the time the store was made, as the MDN sample's do. */
  #nextId = Date.now();
  #counter = 1;
  #version = 0;

  /** @param room The room's name. @default "chat" */
  constructor(readonly room: string = "chat") {}

  nextId(): number {
    return this.#nextId++;
  }

  // The previous name and a released name are known here: each client holds one name at most.
  claimName(instance: string, id: number, requested: string, _previous?: string): NameClaim {
    const owner = `${instance}/${id}`;
    let name = requested;
    while (this.#heldByOther(name, owner)) name = requested + this.#counter++;
    // A rename moves the client to the end of the list, as a fresh login does.
    this.#drop(owner);
    this.#take(owner, name);
    return { name, ...this.#list(true) };
  }

  release(instance: string, id: number, _name?: string): UserList {
    this.#drop(`${instance}/${id}`);
    return this.#list(true);
  }

  forget(instance: string): UserList {
    let dropped = false;
    for (const owner of this.#users.keys()) {
      if (owner.startsWith(`${instance}/`) && this.#drop(owner)) dropped = true;
    }
    return this.#list(dropped);
  }

  restore(instance: string, clients: readonly HeldName[]): RestoredNames {
    const keep = new Set<string>();
    const lost: number[] = [];
    for (const { id, name } of clients) {
      // A client taken back keeps its id: a new one must not be given it again.
      this.#nextId = Math.max(this.#nextId, id + 1);
      const owner = `${instance}/${id}`;
      if (name !== undefined && this.#heldByOther(name, owner)) {
        lost.push(id);
        continue;
      }
      keep.add(owner);
      if (name !== undefined && this.#users.get(owner) !== name) {
        this.#drop(owner);
        this.#take(owner, name);
      }
    }
    for (const owner of this.#users.keys()) {
      if (owner.startsWith(`${instance}/`) && !keep.has(owner)) this.#drop(owner);
    }
    return { ...this.#list(true), lost };
  }

  onReconnect(): () => void {
    return () => {};
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  #heldByOther(name: string, owner: string): boolean {
    return nameKeys(name).some((key) => (this.#holders.get(key) ?? owner) !== owner);
  }

  #take(owner: string, name: string): void {
    for (const key of nameKeys(name)) this.#holders.set(key, owner);
    this.#users.set(owner, name);
  }

  /** Drops the name `owner` holds; whether it held one. */
  #drop(owner: string): boolean {
    const name = this.#users.get(owner);
    if (name === undefined) return false;
    for (const key of nameKeys(name)) if (this.#holders.get(key) === owner) this.#holders.delete(key);
    this.#users.delete(owner);
    return true;
  }

  #list(changed: boolean): UserList {
    return { users: [...this.#users.values()], version: changed ? ++this.#version : this.#version };
  }
}
