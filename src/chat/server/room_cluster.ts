/**
 * A chat room's link to its cluster: every frame goes to every instance on
 * the room's topic, this instance's own included, so every client sees one
 * order; the names a `NameStore` keeps are repaired as the cluster sees
 * instances die, leave and come back.
 *
 * @module
 */
import type { Cluster, InstanceChange } from "../../backplane/cluster.ts";
import type { HeldName, Maybe, NameClaim, NameStore, RestoredNames, UserList } from "./name_store.ts";

/** A frame for the room's clients: every client of every instance, or only the client named `target`. */
export interface Published {
  /** The frame, as the generated encoder wrote it: the cluster carries it unchanged. */
  readonly frame: string;
  readonly target?: string;
  /** Set on user lists: the list's version. */
  readonly version?: number;
}

/** What the room of this instance hears. */
export interface RoomEvents {
  /** A frame any instance published, in the order every instance hears it. */
  deliver(message: Published): void;
  /** The user list changed without a client of this instance asking (an instance died, left, came back): publish it. */
  usersChanged(list: UserList): void;
  /** These clients' names went to others while this instance was cut off: they must log in again. */
  namesLost(ids: readonly number[]): void;
}

/** The envelope on the room's topic: `version,targetLength,target` then the frame, as the codecs wrote it. */
function wrap({ frame, target, version }: Published): string {
  return `${version ?? ""},${target === undefined ? "" : target.length},${target ?? ""}${frame}`;
}

function unwrap(envelope: string): Published | undefined {
  const first = envelope.indexOf(",");
  const second = envelope.indexOf(",", first + 1);
  if (first < 0 || second < 0) return undefined;
  const version = envelope.slice(0, first);
  const targetLength = envelope.slice(first + 1, second);
  const targetEnd = second + 1 + Number(targetLength);
  return {
    frame: envelope.slice(targetEnd),
    ...(version !== "" && { version: Number(version) }),
    ...(targetLength !== "" && { target: envelope.slice(second + 1, targetEnd) }),
  };
}

/** How often a restore checks whether the cluster is reachable again (the cluster tells only its creator), in ms. */
const REACHABLE_POLL_MS = 100;

/** Calls `then` with a value now, or once its promise resolves; a rejection is the caller's to retry. */
function after<T>(value: Maybe<T>, then: (value: T) => void): void {
  if (value instanceof Promise) value.then(then, () => {});
  else then(value);
}

/**
 * The room's frames on `cluster`, its names in `names`, for one instance.
 *
 * An instance the cluster finds dead, or that left, has its names dropped by
 * every instance that sees it so (the store makes that idempotent), and the
 * user list published; one that fails (the store is unreachable) is tried
 * again when the store is back. This instance gives its clients their names
 * back when the cluster tells it it was taken for dead (`reconciled`: it
 * stalled, or was cut off from the engine), and when the store comes back
 * after an outage.
 *
 * @example
 * ```ts
 * import { RoomCluster } from "./room_cluster.ts";
 * import { MemoryNames } from "./memory_names.ts";
 * import { Cluster } from "../../backplane/cluster.ts";
 * import { MemoryHub } from "../../backplane/memory.ts";
 * const cluster = new Cluster(new MemoryHub().backplane());
 * const room = new RoomCluster(cluster, new MemoryNames(), {
 *   deliver: ({ frame }) => console.log(frame),
 *   usersChanged: ({ users }) => console.log(users),
 *   namesLost: () => {},
 * });
 * await cluster.start();
 * room.publish({ frame: '{"type":"message","id":1,"name":"ann","text":"hi","date":0}' });
 * await cluster.close();
 * await room.close();
 * ```
 */
export class RoomCluster {
  readonly #events: RoomEvents;
  readonly #topic: string;
  /** This instance's clients and the names they hold, to give back. */
  readonly #held = new Map<number, string>();
  /** Clients whose claim is under way: a restore keeps whatever name they hold. */
  readonly #claiming = new Set<number>();
  /** Claims and releases sent and not yet answered: `close` waits for them before dropping this instance's names. */
  readonly #inflight = new Set<Promise<unknown>>();
  /** Instances whose names this one dropped (`done`) or has still to drop, until they are heard again. */
  readonly #forgotten = new Map<string, { readonly left: boolean; done: boolean }>();
  readonly #stops: (() => void)[];
  #restoring: Promise<void> | undefined;
  #again = false;
  #closed = false;
  #unpublished = 0;

  /**
   * @param cluster The cluster the room's typed server spans (it starts and leaves it).
   * @param names Where the room's names live.
   * @param events Where this instance's room hears frames and changes.
   */
  constructor(readonly cluster: Cluster, readonly names: NameStore, events: RoomEvents) {
    this.#events = events;
    this.#topic = `chat:${names.room}`;
    this.#stops = [
      cluster.listen(this.#topic, (envelope) => {
        const message = unwrap(envelope);
        if (message !== undefined) events.deliver(message);
      }),
      cluster.onInstance((change) => this.#instanceChanged(change)),
      names.onReconnect(() => this.#restore()),
    ];
  }

  /** Frames this instance could not hand to the cluster (its engine was unreachable): no client received them. */
  get unpublished(): number {
    return this.#unpublished;
  }

  /** A fresh client id, unique across the room. */
  nextId(): number {
    return this.names.nextId();
  }

  /** Claims a name for client `id` (see `NameStore.claimName`). */
  claimName(id: number, requested: string, previous: string | undefined): Maybe<NameClaim> {
    const claim = this.names.claimName(this.cluster.instance, id, requested, previous);
    if (!(claim instanceof Promise)) {
      this.#held.set(id, claim.name);
      return claim;
    }
    this.#claiming.add(id);
    const claimed = this.#track(claim.then((answer) => (this.#held.set(id, answer.name), answer)));
    const done = () => this.#claiming.delete(id);
    claimed.then(done, done);
    return claimed;
  }

  /**
   * Takes this instance's clients back after its memory was lost (a Durable Object that hibernated): the store holds
   * exactly their names again (see `NameStore.restore`); a name another took meanwhile is told to `namesLost`.
   */
  adopt(clients: readonly HeldName[]): Maybe<UserList> {
    for (const { id, name } of clients) if (name !== undefined) this.#held.set(id, name);
    const restored = this.names.restore(this.cluster.instance, clients);
    const told = (result: RestoredNames) => {
      if (result.lost.length > 0) this.#events.namesLost(result.lost);
      return result;
    };
    return restored instanceof Promise ? this.#track(restored.then(told)) : told(restored);
  }

  /** Forgets a client that left; if the store cannot be reached, its name is dropped at the next restore. */
  release(id: number, name: string | undefined): Maybe<UserList> {
    this.#held.delete(id);
    const list = this.names.release(this.cluster.instance, id, name);
    return list instanceof Promise ? this.#track(list) : list;
  }

  /** Sends a frame to every instance's room (this one's too), at most once; counted when the cluster is unreachable. */
  publish(message: Published): void {
    if (!this.cluster.started) return;
    if (!this.cluster.reachable) {
      this.#unpublished++;
      return;
    }
    this.cluster.publish(this.#topic, wrap(message));
  }

  /**
   * Stops listening; once the claims and releases under way are answered, drops this instance's names at once (the
   * others publish the list when they see it leave) and closes the store.
   */
  async close(): Promise<void> {
    this.#closed = true;
    for (const stop of this.#stops) stop();
    await Promise.allSettled(this.#inflight);
    try {
      await this.names.forget(this.cluster.instance);
    } catch {
      // Unreachable now: the others drop this instance's names when they see it leave, or dead.
    }
    await this.names.close();
  }

  #instanceChanged({ instance, status }: InstanceChange): void {
    if (status === "dead" || status === "left") this.#forget(instance, status === "left");
    // Back: it hears it was taken for dead (`reconciled` there) and gives its clients their names back itself.
    else if (status === "back") this.#forgotten.delete(instance);
    else this.#restore().catch(() => {});
  }

  #forget(instance: string, left: boolean): void {
    const entry = { left, done: false };
    this.#forgotten.set(instance, entry);
    after(this.names.forget(instance), (list) => {
      entry.done = true;
      // A left instance is not heard again (a restarted process is a new instance): nothing to tell it.
      if (left && this.#forgotten.get(instance) === entry) this.#forgotten.delete(instance);
      this.#events.usersChanged(list);
    });
  }

  /** Gives this instance's clients their names back; one restore at a time, run again if asked meanwhile. */
  #restore(): Promise<void> {
    if (this.#restoring !== undefined) {
      this.#again = true;
      return this.#restoring;
    }
    const run = async () => {
      do {
        this.#again = false;
        await this.#restoreOnce();
      } while (this.#again);
    };
    this.#restoring = run().finally(() => (this.#restoring = undefined));
    return this.#restoring;
  }

  async #restoreOnce(): Promise<void> {
    // The list goes out on the cluster: after an outage of the engine both share, wait for the cluster too.
    while (this.cluster.started && !this.cluster.reachable) {
      if (this.#closed) throw new Error("the room is closed");
      await new Promise((resolve) => setTimeout(resolve, REACHABLE_POLL_MS));
    }
    const clients: HeldName[] = [...this.#claiming].map((id) => ({ id, name: undefined }));
    for (const [id, name] of this.#held) if (!this.#claiming.has(id)) clients.push({ id, name });
    const restored = await this.names.restore(this.cluster.instance, clients);
    if (restored.lost.length > 0) this.#events.namesLost(restored.lost);
    this.#events.usersChanged(restored);
    for (const [instance, { left, done }] of this.#forgotten) if (!done) this.#forget(instance, left);
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#inflight.add(work);
    const done = () => this.#inflight.delete(work);
    work.then(done, done);
    return work;
  }
}
