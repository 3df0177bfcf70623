/**
 * One instance's membership of a cluster: a backplane, shared by everything
 * in the process that listens to topics (the typed server, an application),
 * with presence, instance liveness and ordered, retried appends on top.
 *
 * @module
 */
import type { Backplane, ReadResult } from "./backplane.ts";
import { Appender } from "./appender.ts";
import {
  type InstanceChange,
  type LivenessOptions,
  PresenceBook,
  type PresenceChange,
  type PresenceMember,
} from "./presence.ts";

/** How an instance takes part in its cluster. */
export interface ClusterOptions extends LivenessOptions {
  /**
   * The most appends to resumable topics that may wait for an unreachable engine (or a slow one); past it, new ones
   * are given up and reported through `onStatus` (`loss`). @default 10000
   */
  readonly maxOutbox?: number;
  /** Told when the engine is lost or back, when a follow missed entries, and when appends were given up. @default a line on the console */
  readonly onStatus?: (status: ClusterStatus) => void;
}

/** Something the cluster could not hide from the application. */
export interface ClusterStatus {
  /**
   * `lost`/`restored`: the engine became unreachable / reachable again. `gap`: a followed topic's log dropped
   * entries this instance never read (an outage longer than the recovery window). `loss`: appends given up.
   */
  readonly kind: "lost" | "restored" | "gap" | "loss";
  readonly detail: string;
  /** The topic, for `gap` and `loss`. */
  readonly topic?: string;
}

/** What went wrong, counted. */
export interface ClusterStats {
  /** Times the engine was lost. */
  disconnects: number;
  /** Appends given up (`loss`). */
  lost: number;
  /** Follows that missed entries (`gap`). */
  gaps: number;
}

type FrameListener = (frame: string) => void;

/** Stops listening or following; `ready` resolves once the subscription is in place on the engine. */
export type Stop = (() => void) & { readonly ready: Promise<void> };
type EntryListener = (position: string, frame: string) => void;

function add<T>(map: Map<string, Set<T>>, topic: string, item: T): boolean {
  let set = map.get(topic);
  const first = set === undefined;
  if (set === undefined) map.set(topic, set = new Set());
  set.add(item);
  return first;
}

function remove<T>(map: Map<string, Set<T>>, topic: string, item: T): boolean {
  const set = map.get(topic);
  if (!set?.delete(item) || set.size > 0) return false;
  map.delete(topic);
  return true;
}

/**
 * An instance of a cluster. Give one to `createServer({ cluster })` (and to
 * anything else in the process that shares topics); `listen()` starts it.
 *
 * @example Two typed servers in two processes, one Redis
 * ```ts
 * import { Cluster } from "./cluster.ts";
 * import { MemoryHub } from "./memory.ts";
 * // In production: new Cluster(new RedisBackplane("redis://10.0.0.5:6379"))
 * const cluster = new Cluster(new MemoryHub().backplane(), { heartbeatMs: 1000, instanceTtlMs: 3000 });
 * await cluster.start();
 * const stop = cluster.listen("news", (frame) => console.log(frame));
 * cluster.publish("news", '{"type":"headline","text":"hello"}');
 * stop();
 * await cluster.close();
 * ```
 */
export class Cluster {
  /** This instance's id, unique in the cluster. */
  readonly instance: string = crypto.randomUUID();
  readonly stats: ClusterStats = { disconnects: 0, lost: 0, gaps: 0 };
  readonly #listeners = new Map<string, Set<FrameListener>>();
  readonly #followers = new Map<string, Set<EntryListener>>();
  readonly #cursors = new Map<string, string>();
  /** What `subscribe` and `follow` of the engine returned, by `p:topic` and `r:topic`. */
  readonly #inPlace = new Map<string, Promise<void>>();
  readonly #presence = new Set<(change: PresenceChange) => void>();
  readonly #instances = new Set<(change: InstanceChange) => void>();
  readonly #book: PresenceBook;
  readonly #appender: Appender;
  readonly #onStatus: (status: ClusterStatus) => void;
  readonly #statusListeners = new Set<(status: ClusterStatus) => void>();
  #started: Promise<void> | undefined;
  #reachable = false;

  /**
   * @param backplane The engine (`MemoryHub().backplane()`, `RedisBackplane`, `NatsBackplane`).
   * @param options Liveness timings, the outbox, status reports.
   */
  constructor(readonly backplane: Backplane, options: ClusterOptions = {}) {
    this.#onStatus = options.onStatus ??
      ((status) => console.warn(`typewire cluster: ${status.kind}: ${status.detail}`));
    this.#book = new PresenceBook(this.instance, options, {
      announce: (payload) => this.#reachable && this.backplane.announce(payload),
      change: (change) => this.#each(this.#presence, change),
      instance: (change) => this.#each(this.#instances, change),
    });
    this.#appender = new Appender(backplane, this.instance, options.maxOutbox ?? 10_000, {
      lost: (topic, count, detail) => {
        this.stats.lost += count;
        this.#onStatus({
          kind: "loss",
          topic,
          detail: `${count} message(s) to ${JSON.stringify(topic)} lost: ${detail}`,
        });
      },
    });
  }

  /** How long after its last heartbeat an instance's connections leave every topic elsewhere, at most, in ms. */
  get presenceBound(): number {
    return 2 * this.#book.heartbeatMs + this.#book.instanceTtlMs;
  }

  /** Whether `start()` was called (and `close()` was not since). */
  get started(): boolean {
    return this.#started !== undefined;
  }

  /** Appends to resumable topics not stored yet: in flight, or held while the engine is unreachable. */
  get outbox(): number {
    return this.#appender.waiting;
  }

  /** Whether the engine is reachable. */
  get reachable(): boolean {
    return this.#reachable;
  }

  /**
   * Connects to the engine and joins the cluster. Later calls return the same promise until `close()`; after it, a
   * cluster whose engine can reconnect (`MemoryHub`'s can) may start again.
   */
  start(): Promise<void> {
    if (this.#started !== undefined) return this.#started;
    const started: Promise<void> = this.backplane.start({
      message: (topic, frame) => this.#each(this.#listeners.get(topic), frame),
      entry: (topic, position, frame) => {
        this.#cursors.set(topic, position);
        for (const listener of this.#followers.get(topic) ?? []) {
          try {
            listener(position, frame);
          } catch (error) {
            console.error("typewire cluster: a follower failed:", error);
          }
        }
      },
      control: (payload) => {
        try {
          this.#book.hear(payload);
        } catch {
          // A payload from another version, or damaged: presence heals at the next heartbeat.
        }
      },
      status: (status, detail) => {
        if (status === "lost") {
          if (!this.#reachable) return;
          this.#reachable = false;
          this.stats.disconnects++;
        } else {
          this.#reachable = true;
          this.#appender.resume();
          this.#book.resync();
        }
        this.#report({ kind: status, detail });
      },
      gap: (topic, detail) => {
        this.stats.gaps++;
        this.#report({ kind: "gap", topic, detail });
      },
    }).then(() => {
      if (this.#started !== started) return;
      this.#reachable = true;
      this.#book.start();
    });
    this.#started = started;
    return started;
  }

  /** Leaves the cluster: the others drop this instance's members at once; then disconnects. */
  async close(): Promise<void> {
    const started = this.#started;
    if (started === undefined) return;
    this.#started = undefined;
    this.#book.stop();
    this.#reachable = false;
    this.#appender.clear();
    await started.catch(() => {});
    await this.backplane.close();
  }

  /** Sends a frame to every instance listening to a plain topic (this one too). At most once. */
  publish(topic: string, frame: string): void {
    this.backplane.publish(topic, frame);
  }

  /**
   * Hears a plain topic's frames.
   *
   * @returns Stops listening; its `ready` resolves once the engine has the subscription (frames published anywhere
   * after it are heard).
   */
  listen(topic: string, listener: FrameListener): Stop {
    if (add(this.#listeners, topic, listener)) this.#inPlace.set(`p:${topic}`, this.backplane.subscribe(topic));
    const stop = () => {
      if (!remove(this.#listeners, topic, listener)) return;
      this.#inPlace.delete(`p:${topic}`);
      this.backplane.unsubscribe(topic);
    };
    return Object.assign(stop, { ready: this.#inPlace.get(`p:${topic}`) ?? Promise.resolve() });
  }

  /** Appends a frame to a resumable topic's log, after this instance's earlier appends to it, through outages. */
  append(topic: string, frame: string): void {
    this.#appender.append(topic, frame);
  }

  /**
   * Hears a resumable topic's entries, in log order, each once, from now on.
   *
   * @returns Stops following; its `ready` resolves once the engine has the follow (every entry appended after it is
   * heard).
   */
  follow(topic: string, listener: EntryListener): Stop {
    if (add(this.#followers, topic, listener)) this.#inPlace.set(`r:${topic}`, this.backplane.follow(topic));
    const stop = () => {
      if (!remove(this.#followers, topic, listener)) return;
      this.#inPlace.delete(`r:${topic}`);
      this.backplane.unfollow(topic);
      this.#cursors.delete(topic);
    };
    return Object.assign(stop, { ready: this.#inPlace.get(`r:${topic}`) ?? Promise.resolve() });
  }

  /** The position of the last entry of a followed topic this instance heard. */
  cursor(topic: string): string | undefined {
    return this.#cursors.get(topic);
  }

  /** The entries of a topic's log after a position (see `Backplane.read`). */
  read(topic: string, position: string): Promise<ReadResult> {
    return this.backplane.read(topic, position).catch((error: Error) => ({
      ok: false as const,
      reason: "unreachable" as const,
      message: error.message,
    }));
  }

  /** Orders two positions of one topic. */
  compare(a: string, b: string): number {
    return this.backplane.compare(a, b);
  }

  /** A connection of this instance joined a topic: every instance's presence shows it. */
  join(topic: string, id: number, label?: string): void {
    this.#book.join(topic, id, label);
  }

  /** A connection of this instance left a topic. */
  leave(topic: string, id: number, reason: "unsubscribed" | "closed"): void {
    this.#book.leave(topic, id, reason);
  }

  /** The members of a topic on every instance alive. */
  members(topic: string): PresenceMember[] {
    return this.#book.members(topic);
  }

  /** The instances alive, as this one knows them: itself first. */
  instances(): string[] {
    return this.#book.instances();
  }

  /**
   * Hears presence changes (every instance's).
   *
   * @returns Stops listening.
   */
  onPresence(listener: (change: PresenceChange) => void): () => void {
    this.#presence.add(listener);
    return () => this.#presence.delete(listener);
  }

  /**
   * Hears instances dying, coming back, leaving; and this instance being reconciled.
   *
   * @returns Stops listening.
   */
  onInstance(listener: (change: InstanceChange) => void): () => void {
    this.#instances.add(listener);
    return () => this.#instances.delete(listener);
  }

  /**
   * Hears what `onStatus` hears (the engine lost or back, gaps, losses), besides the option.
   *
   * @returns Stops listening.
   */
  onStatus(listener: (status: ClusterStatus) => void): () => void {
    this.#statusListeners.add(listener);
    return () => this.#statusListeners.delete(listener);
  }

  #report(status: ClusterStatus): void {
    this.#onStatus(status);
    this.#each(this.#statusListeners, status);
  }

  #each<T>(listeners: Iterable<(value: T) => void> | undefined, value: T): void {
    for (const listener of listeners ?? []) {
      try {
        listener(value);
      } catch (error) {
        console.error("typewire cluster: a listener failed:", error);
      }
    }
  }
}

export type { InstanceChange, PresenceChange, PresenceMember, PresenceReason } from "./presence.ts";
