/**
 * The seam where topics cross instances: what an engine (memory, Redis,
 * NATS) must do so that typed servers in several processes share their
 * topics. An engine carries frames as the encoder wrote them, never decoding
 * or re-encoding them; everything it is told and tells is a string.
 *
 * Two kinds of traffic, with different guarantees:
 * - **plain** (`publish`, `subscribe`, `announce`): at most once, in the order
 *   one instance published; what is in flight while the engine is unreachable
 *   is lost.
 * - **resumable** (`append`, `follow`, `read`): each topic is a log with
 *   positions; `follow` delivers its entries in log order, each exactly once,
 *   across reconnections to the engine, and `read` replays what a client
 *   missed, for as long as the log keeps it (`window`).
 *
 * Presence and instance liveness are built once, on `announce`, by
 * `Cluster` (`./cluster.ts`): an engine needs nothing of its own for them.
 *
 * @module
 */

/** How long a resumable topic's log keeps its entries: whichever limit comes first. */
export interface RecoveryWindow {
  /** The most entries kept per topic. @default 1000 */
  readonly maxMessages: number;
  /** The oldest entry kept, in milliseconds. @default 120000 */
  readonly maxAgeMs: number;
}

/** The window when none is given: 1000 messages per topic, 2 minutes. */
export const DEFAULT_RECOVERY_WINDOW: RecoveryWindow = { maxMessages: 1000, maxAgeMs: 120_000 };

/** One entry of a resumable topic's log. */
export interface LogEntry {
  /**
   * Where the entry is in its topic's log: opaque, ordered by `Backplane.compare`; at most 64 characters, never a
   * `:` (clients carry it back as `position:topic`).
   */
  readonly position: string;
  readonly frame: string;
}

/** What `read` found after a position. */
export type ReadResult =
  | {
    readonly ok: true;
    /** Every entry after the position, in order (none when nothing was appended since). */
    readonly entries: readonly LogEntry[];
  }
  | {
    readonly ok: false;
    /**
     * `gone`: the log no longer holds the position (beyond the window, or the engine lost its data): entries after
     * it may be missing. `invalid`: not a position this engine ever gave. `unreachable`: the engine did not answer.
     */
    readonly reason: "gone" | "invalid" | "unreachable";
    readonly message: string;
  };

/** What an engine tells the instance that started it. Every callback is called synchronously, never re-entered. */
export interface BackplaneEvents {
  /** A frame published to a plain topic this instance subscribes to, by any instance (this one included). */
  message(topic: string, frame: string): void;
  /**
   * An entry of a topic this instance follows: in log order, each exactly once, from the moment `follow` was
   * called, across reconnections to the engine.
   */
  entry(topic: string, position: string, frame: string): void;
  /** A control payload any instance announced (this one included). */
  control(payload: string): void;
  /**
   * The engine became unreachable (`lost`), or reachable again (`restored`: subscriptions and follows are back, and
   * what the follows missed meanwhile has been delivered or reported through `gap`).
   */
  status(status: "lost" | "restored", detail: string): void;
  /** Entries of a followed topic were dropped from its log before this instance could read them (a long outage). */
  gap(topic: string, detail: string): void;
}

/**
 * An engine that carries topics between instances. Implementations:
 * `MemoryBackplane` (one process), `RedisBackplane`, `NatsBackplane`; every
 * one passes `tests/backplane_contract.test.ts`.
 *
 * @example What an instance does with one (the typed server does this for you)
 * ```ts
 * import { MemoryHub } from "./memory.ts";
 * const backplane = new MemoryHub().backplane();
 * await backplane.start({
 *   message: (topic, frame) => console.log(topic, frame),
 *   entry: (topic, position, frame) => console.log(topic, position, frame),
 *   control: () => {},
 *   status: () => {},
 *   gap: () => {},
 * });
 * backplane.subscribe("news");
 * backplane.publish("news", '{"type":"headline","text":"hello"}');
 * await backplane.close();
 * ```
 */
export interface Backplane {
  /** The engine's name, for messages: `"memory"`, `"redis"`, `"nats"`. */
  readonly engine: string;
  /** How long resumable logs keep their entries. */
  readonly window: RecoveryWindow;
  /**
   * Connects, and delivers to `events` from then on.
   *
   * @throws {Error} When the engine cannot be reached (within the engine's connect timeout).
   */
  start(events: BackplaneEvents): Promise<void>;
  /** Sends a frame to every instance subscribed to a plain topic. At most once; lost while unreachable. */
  publish(topic: string, frame: string): void;
  /**
   * Receives `topic`'s plain frames from now on (idempotent).
   *
   * @returns Resolves once the subscription is in place on the engine: a frame any instance publishes after that
   * reaches this one. While the engine is unreachable, that is when it is back.
   */
  subscribe(topic: string): Promise<void>;
  /** Stops receiving `topic`'s plain frames (idempotent). */
  unsubscribe(topic: string): void;
  /**
   * Appends a frame to a resumable topic's log. An append retried with the same `id` (after a failure whose outcome
   * was unknown) is stored once: the engine remembers at least the last `window.maxMessages` ids.
   *
   * @param id Unique per append: the instance's id and a counter.
   * @returns Its position, once the engine has stored it.
   * @throws {Error} (as a rejection) When the engine is unreachable or refused it: it may or may not be stored.
   */
  append(topic: string, frame: string, id: string): Promise<string>;
  /**
   * Appends several frames to a topic's log in this order, as one step where the engine can (all stored or none):
   * what `append` does for each, in one round trip. Optional: without it, appends go one at a time.
   *
   * @returns Their positions, in order.
   */
  appendMany?(topic: string, entries: readonly { readonly frame: string; readonly id: string }[]): Promise<string[]>;
  /**
   * Delivers `topic`'s log entries through `events.entry`, starting with the next one appended (idempotent).
   *
   * @returns Resolves once the follow is in place on the engine: every entry appended after that is delivered.
   */
  follow(topic: string): Promise<void>;
  /** Stops delivering `topic`'s entries (idempotent). */
  unfollow(topic: string): void;
  /**
   * The entries of a topic's log after `position` (a position this engine gave), at most `window.maxMessages`.
   */
  read(topic: string, position: string): Promise<ReadResult>;
  /** Orders two positions of one topic: negative when `a` comes first, 0 when equal, positive after. */
  compare(a: string, b: string): number;
  /** Sends a control payload to every instance (presence, liveness). At most once; lost while unreachable. */
  announce(payload: string): void;
  /** Disconnects; nothing is delivered after the promise resolves. */
  close(): Promise<void>;
}
