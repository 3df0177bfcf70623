/**
 * The Redis engine: typed servers in several processes share topics through
 * one Redis (7.0 or later), with the `redis` npm package.
 *
 * Plain topics and control payloads are Redis pub/sub. A resumable topic is
 * a Redis stream, appended to by one Lua script that also publishes the entry,
 * so pub/sub carries entries in log order; a follower reads the stream only
 * to catch up, after its subscriber connection was lost.
 *
 * @module
 */
import { createClient } from "redis";
import { compareDigits, messageOf, quote } from "./text.ts";
import {
  type Backplane,
  type BackplaneEvents,
  DEFAULT_RECOVERY_WINDOW,
  type LogEntry,
  type ReadResult,
  type RecoveryWindow,
} from "./backplane.ts";
import { APPEND, NEWEST, parseSnapshot, SNAPSHOT, type Snapshot } from "./redis_scripts.ts";

/** How an instance uses Redis. */
export interface RedisBackplaneOptions {
  /** Instances with the same prefix share topics: the start of every key and channel. @default "typewire" */
  readonly prefix?: string;
  /** How long resumable logs keep their entries. @default 1000 messages, 2 minutes */
  readonly window?: Partial<RecoveryWindow>;
  /** How long `start` tries to reach Redis before it gives up, in ms. @default 5000 */
  readonly connectTimeoutMs?: number;
}

/**
 * A stream id as Redis generates them, `ms-seq`, without leading zeros, and
 * not `0-0`: 16 digits at most each, far below Redis's 64-bit limits, so that
 * `(id` is always a valid XRANGE bound.
 */
const STREAM_ID = /^(?:0|[1-9][0-9]{0,15})-(?:0|[1-9][0-9]{0,15})$/;

/** The cursor of a follow that has seen nothing: before any position Redis gives. */
const NOTHING = "0-0";

/** Entries read per round trip when a follow catches up. */
const PAGE = 500;

/** Between connection attempts in `start`, and between tries of a failed catch-up, in ms. */
const RETRY_MS = 100;

function isPosition(position: string): boolean {
  return position !== NOTHING && STREAM_ID.test(position);
}

/**
 * How a position stands in a snapshot of its log:
 * - `missing`: the log is gone (never written, or Redis lost its data);
 * - `ahead`: after the newest position (Redis never gave it, or lost the entries up to it);
 * - `contiguous`: every entry after it is still in the log;
 * - `dropped`: entries after it were trimmed away;
 * - `unknown`: between two consecutive entries: Redis never gave it.
 */
function standing(position: string, snapshot: Snapshot): "missing" | "ahead" | "contiguous" | "dropped" | "unknown" {
  if (snapshot.kind === "missing") return "missing";
  if (compareStreamIds(position, snapshot.newest) > 0) return "ahead";
  const first = snapshot.entries[0];
  if (snapshot.held || first === undefined || first.previous === position) return "contiguous";
  return snapshot.previousHeld ? "unknown" : "dropped";
}

/** Orders two stream ids (`ms-seq`): by milliseconds, then sequence, as digit strings (no BigInt needed). */
function compareStreamIds(a: string, b: string): number {
  const [aMs = "", aSeq = ""] = a.split("-");
  const [bMs = "", bSeq = ""] = b.split("-");
  return compareDigits(aMs, bMs) || compareDigits(aSeq, bSeq);
}

/** Commands wait for no reconnection: while Redis is away they fail at once. */
function newClient(url: string, connectTimeoutMs: number, reconnectIn: (retries: number) => number | false) {
  return createClient({
    url,
    disableOfflineQueue: true,
    socket: { connectTimeout: connectTimeoutMs, reconnectStrategy: reconnectIn },
  });
}

type Client = ReturnType<typeof newClient>;

/** A followed topic. */
interface Follow {
  /** The last position delivered (or, before the first, where delivery starts); unknown until Redis told it. */
  cursor: string | undefined;
  /** While catching up: live entries wait in `held`. */
  holding: boolean;
  held: LogEntry[];
  /** Told once it is in place: its first catch-up done. */
  readonly inPlace: (() => void)[];
}

/**
 * The Redis engine. Two connections: one for commands, which never wait in
 * an offline queue (while Redis is away they fail at once: `publish` and
 * `announce` are dropped, `append` rejects, `read` answers `unreachable`),
 * and one subscriber. Both reconnect by themselves (every 50 ms to 1 s).
 *
 * Channels, under prefix P: `P:p:<topic>` (plain), `P:e:<topic>` (entries,
 * `position frame`), `P:c` (control). Keys: see `redis_scripts.ts`.
 *
 * A follow keeps the last position it delivered. When the subscriber comes
 * back after an outage, each follow holds live entries, reads the log after
 * its position, delivers that, then the held entries after it: exactly once,
 * in order. When the log no longer holds what it missed (trimmed meanwhile,
 * or Redis lost its data), it reports a `gap` and carries on from what is
 * there; then `status("restored")`.
 *
 * @example Two instances on one Redis
 * ```ts
 * import { RedisBackplane } from "./redis.ts";
 * const events = {
 *   message: (topic: string, frame: string) => console.log(topic, frame),
 *   entry: (topic: string, position: string, frame: string) => console.log(topic, position, frame),
 *   control: () => {},
 *   status: (status: string, detail: string) => console.log(status, detail),
 *   gap: (topic: string, detail: string) => console.warn(topic, detail),
 * };
 * const a = new RedisBackplane("redis://127.0.0.1:6379", { window: { maxMessages: 500 } });
 * const b = new RedisBackplane("redis://127.0.0.1:6379", { window: { maxMessages: 500 } });
 * await a.start(events);
 * await b.start(events);
 * a.follow("room:1");
 * const position = await b.append("room:1", '{"type":"line"}', "b:1");
 * console.log(await a.read("room:1", position)); // { ok: true, entries: [] }
 * await Promise.all([a.close(), b.close()]);
 * ```
 */
export class RedisBackplane implements Backplane {
  readonly engine = "redis";
  readonly window: RecoveryWindow;
  readonly #url: string;
  readonly #prefix: string;
  readonly #connectTimeoutMs: number;
  readonly #client: Client;
  readonly #subscriber: Client;
  #events: BackplaneEvents | undefined;
  #started = false;
  #closed = false;
  #closing: Promise<void> | undefined;
  /** `lost` was reported, `restored` not yet. */
  #lost = false;
  /** The last connection failure, for messages. */
  #failure: unknown;
  /** Bumped when the subscriber connection is lost: a catch-up begun before releases nothing. */
  #epoch = 0;
  readonly #plain = new Set<string>();
  /** Who waits for a channel to be subscribed (`subscribe`'s promise), by channel. */
  readonly #waiting = new Map<string, (() => void)[]>();
  readonly #follows = new Map<string, Follow>();
  /** The channels the subscriber is subscribed to (its client subscribes them again after a reconnection). */
  readonly #channels = new Set<string>();
  #syncing: Promise<void> = Promise.resolve();
  #recovering = false;
  #recoverAgain = false;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /**
   * @param url `redis://host:port` (or `rediss:` for TLS).
   * @param options The prefix shared by the instances, the window, the connect timeout.
   */
  constructor(url: string, options: RedisBackplaneOptions = {}) {
    this.#url = url;
    this.#prefix = options.prefix ?? "typewire";
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 5000;
    this.window = { ...DEFAULT_RECOVERY_WINDOW, ...options.window };
    const { maxMessages, maxAgeMs } = this.window;
    if (!Number.isSafeInteger(maxMessages) || maxMessages < 1 || !Number.isSafeInteger(maxAgeMs) || maxAgeMs < 0) {
      throw new RangeError(`a window is whole numbers, at least 1 message and 0 ms: ${JSON.stringify(this.window)}`);
    }
    // Until started, a failed connection is not retried by the client: `start` retries, on timers it can cancel.
    const reconnectIn = (retries: number) => this.#started && !this.#closed && backoff(retries);
    this.#client = newClient(url, this.#connectTimeoutMs, reconnectIn);
    this.#subscriber = this.#client.duplicate();
    for (const [connection, name] of [[this.#client, "commands"], [this.#subscriber, "subscriber"]] as const) {
      connection.on("error", (error: unknown) => this.#onError(name, error));
      connection.on("ready", () => this.#recover());
    }
  }

  async start(events: BackplaneEvents): Promise<void> {
    if (this.#events !== undefined || this.#closed) throw new Error("this RedisBackplane was started already");
    this.#events = events;
    const timeout = this.#connectTimeoutMs;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no connection within ${timeout} ms`)), timeout);
    });
    try {
      await Promise.race([this.#connect(), late]);
    } catch (error) {
      const why = this.#failure === undefined ? "no answer" : messageOf(this.#failure);
      this.#closed = true;
      clearTimeout(this.#timer);
      this.#client.destroy();
      this.#subscriber.destroy();
      throw new Error(`could not reach Redis at ${this.#url} within ${timeout} ms: ${why}`, { cause: error });
    } finally {
      clearTimeout(timer);
    }
    this.#started = true;
    this.#recover();
  }

  /** Connects both connections, retrying until `start`'s timeout, and subscribes the control channel. */
  async #connect(): Promise<void> {
    for (const connection of [this.#client, this.#subscriber]) {
      while (!connection.isReady) {
        try {
          await connection.connect();
        } catch (error) {
          this.#failure = error;
          if (this.#closed) throw error;
          await new Promise((resolve) => (this.#timer = setTimeout(resolve, RETRY_MS)));
        }
      }
    }
    await this.#sync();
  }

  publish(topic: string, frame: string): void {
    this.#send(`${this.#prefix}:p:${topic}`, frame);
  }

  subscribe(topic: string): Promise<void> {
    const channel = `${this.#prefix}:p:${topic}`;
    if (this.#channels.has(channel) || this.#closed) return Promise.resolve();
    const inPlace = new Promise<void>((resolve) => {
      const waiting = this.#waiting.get(channel);
      if (waiting === undefined) this.#waiting.set(channel, [resolve]);
      else waiting.push(resolve);
    });
    if (!this.#plain.has(topic)) {
      this.#plain.add(topic);
      this.#syncSoon();
    }
    return inPlace;
  }

  unsubscribe(topic: string): void {
    if (!this.#plain.delete(topic)) return;
    this.#syncSoon();
  }

  async append(topic: string, frame: string, id: string): Promise<string> {
    const [position] = await this.appendMany(topic, [{ frame, id }]);
    return position as string;
  }

  async appendMany(topic: string, entries: readonly { frame: string; id: string }[]): Promise<string[]> {
    if (!this.#started || this.#closed) throw new Error("this RedisBackplane is not started, or closed");
    try {
      const positions = await this.#client.EVAL(APPEND, {
        keys: this.#keys(topic),
        arguments: [
          String(this.window.maxMessages),
          String(this.window.maxAgeMs),
          this.#entries(topic),
          ...entries.flatMap(({ frame, id }) => [id, frame]),
        ],
      });
      return (positions as unknown[]).map(String);
    } catch (error) {
      throw new Error(`Redis did not store the append to ${JSON.stringify(topic)}: ${messageOf(error)}`, {
        cause: error,
      });
    }
  }

  follow(topic: string): Promise<void> {
    const following = this.#follows.get(topic);
    if (following !== undefined) {
      return following.holding ? new Promise((resolve) => following.inPlace.push(resolve)) : Promise.resolve();
    }
    const follow: Follow = { cursor: undefined, holding: true, held: [], inPlace: [] };
    const inPlace = new Promise<void>((resolve) => follow.inPlace.push(resolve));
    this.#follows.set(topic, follow);
    if (!this.#started || this.#closed) return inPlace;
    // Asked now, on the commands connection: an append this instance makes next is after it.
    if (this.#client.isReady) {
      this.#newest(topic).then((newest) => (follow.cursor ??= newest), () => {});
    }
    this.#recover();
    return inPlace;
  }

  unfollow(topic: string): void {
    if (!this.#follows.delete(topic)) return;
    this.#syncSoon();
  }

  async read(topic: string, position: string): Promise<ReadResult> {
    if (!isPosition(position)) {
      return { ok: false, reason: "invalid", message: `${quote(position)} is not a Redis stream position` };
    }
    if (!this.#started || this.#closed) {
      return { ok: false, reason: "unreachable", message: "this RedisBackplane is not started, or closed" };
    }
    let snapshot: Snapshot;
    try {
      snapshot = await this.#snapshot(topic, position, this.window.maxMessages + 1);
    } catch (error) {
      return { ok: false, reason: "unreachable", message: `Redis did not answer: ${messageOf(error)}` };
    }
    const where = `${quote(position)} of ${JSON.stringify(topic)}`;
    switch (standing(position, snapshot)) {
      case "missing":
        return Number(position.split("-")[0]) > snapshot.nowMs
          ? { ok: false, reason: "invalid", message: `${where} is in the future` }
          : { ok: false, reason: "gone", message: `Redis has no log for ${where} (it may have lost its data)` };
      case "ahead":
      case "unknown":
        return { ok: false, reason: "invalid", message: `Redis never gave ${where}` };
      case "dropped":
        return { ok: false, reason: "gone", message: `the log no longer holds what followed ${where}` };
    }
    const entries = snapshot.kind === "log" ? snapshot.entries : [];
    const first = entries[0];
    if (entries.length > this.window.maxMessages) {
      return { ok: false, reason: "gone", message: `more than ${this.window.maxMessages} entries followed ${where}` };
    }
    if (first !== undefined && snapshot.nowMs - Number(first.position.split("-")[0]) > this.window.maxAgeMs) {
      return { ok: false, reason: "gone", message: `what followed ${where} is older than ${this.window.maxAgeMs} ms` };
    }
    return { ok: true, entries: entries.map(({ position, frame }) => ({ position, frame })) };
  }

  compare(a: string, b: string): number {
    return compareStreamIds(a, b);
  }

  announce(payload: string): void {
    this.#send(`${this.#prefix}:c`, payload);
  }

  close(): Promise<void> {
    this.#closing ??= this.#close();
    return this.#closing;
  }

  async #close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    // Nothing will be in place any more: whoever waits is let go.
    for (const waiting of this.#waiting.values()) for (const resolve of waiting) resolve();
    this.#waiting.clear();
    for (const follow of this.#follows.values()) for (const resolve of follow.inPlace.splice(0)) resolve();
    const quit = async (connection: Client) => {
      if (!connection.isReady) return connection.destroy();
      await connection.close().catch(() => connection.destroy());
    };
    if (this.#subscriber.isReady) await this.#subscriber.unsubscribe().catch(() => {});
    await Promise.all([quit(this.#client), quit(this.#subscriber)]);
  }

  #send(channel: string, payload: string): void {
    if (!this.#started || this.#closed || !this.#client.isReady) return;
    this.#client.publish(channel, payload).catch(() => {});
  }

  #keys(topic: string): string[] {
    return ["log", "ids", "order"].map((name) => `${this.#prefix}:{${topic}}:${name}`);
  }

  #entries(topic: string): string {
    return `${this.#prefix}:e:${topic}`;
  }

  async #newest(topic: string): Promise<string> {
    return String(await this.#client.EVAL(NEWEST, { keys: this.#keys(topic).slice(0, 1) }));
  }

  async #snapshot(topic: string, position: string, count: number): Promise<Snapshot> {
    const reply = await this.#client.EVAL(SNAPSHOT, {
      keys: this.#keys(topic).slice(0, 1),
      arguments: [position, String(count)],
    });
    return parseSnapshot(reply);
  }

  /** Every frame the subscriber hears. */
  readonly #hear = (message: string, channel: string): void => {
    const events = this.#events;
    if (this.#closed || events === undefined) return;
    const kind = channel.slice(this.#prefix.length + 1, this.#prefix.length + 3);
    const topic = channel.slice(this.#prefix.length + 3);
    if (channel === `${this.#prefix}:c`) events.control(message);
    else if (kind === "p:") {
      if (this.#plain.has(topic)) events.message(topic, message);
    } else if (kind === "e:") {
      const follow = this.#follows.get(topic);
      const space = message.indexOf(" ");
      if (follow === undefined || space < 0) return;
      const position = message.slice(0, space);
      const frame = message.slice(space + 1);
      if (follow.holding) follow.held.push({ position, frame });
      else this.#deliver(topic, follow, position, frame);
    }
  };

  /** Delivers an entry if it comes after the follow's cursor, and moves the cursor to it. */
  #deliver(topic: string, follow: Follow, position: string, frame: string): void {
    if (this.#closed || this.#follows.get(topic) !== follow) return;
    if (follow.cursor !== undefined && compareStreamIds(position, follow.cursor) <= 0) return;
    follow.cursor = position;
    this.#events?.entry(topic, position, frame);
  }

  #onError(connection: "commands" | "subscriber", error: unknown): void {
    this.#failure = error;
    if (!this.#started || this.#closed) return;
    if (connection === "subscriber") {
      // What it heard may have missed entries: every follow holds again, and catches up once it is back.
      this.#epoch++;
      for (const follow of this.#follows.values()) {
        follow.holding = true;
        follow.held = [];
      }
    }
    if (!this.#lost) {
      this.#lost = true;
      this.#events?.status("lost", `Redis unreachable (${connection} connection): ${messageOf(error)}`);
    }
    // An error that did not close the connection brings no "ready": recover now.
    if (this.#client.isReady && this.#subscriber.isReady) this.#recover();
  }

  /** Subscribes and unsubscribes the channels, one change at a time, until they are the ones wanted. */
  #sync(): Promise<void> {
    const run = this.#syncing.then(async () => {
      for (;;) {
        const wanted = new Set([
          `${this.#prefix}:c`,
          ...[...this.#plain].map((topic) => `${this.#prefix}:p:${topic}`),
          ...[...this.#follows.keys()].map((topic) => this.#entries(topic)),
        ]);
        if (this.#closed) wanted.clear();
        const add = [...wanted].filter((channel) => !this.#channels.has(channel));
        const drop = [...this.#channels].filter((channel) => !wanted.has(channel));
        if (add.length > 0) {
          await this.#subscriber.subscribe(add, this.#hear);
          for (const channel of add) {
            this.#channels.add(channel);
            for (const resolve of this.#waiting.get(channel) ?? []) resolve();
            this.#waiting.delete(channel);
          }
        } else if (drop.length > 0) {
          await this.#subscriber.unsubscribe(drop, this.#hear);
          for (const channel of drop) this.#channels.delete(channel);
        } else return;
      }
    });
    this.#syncing = run.catch(() => {});
    return run;
  }

  /** A subscription changed: applied now if the subscriber is there, else when it is back. */
  #syncSoon(): void {
    if (this.#started && !this.#closed && this.#subscriber.isReady) this.#sync().catch(() => this.#recover());
  }

  /**
   * Brings everything back once both connections are ready: the channels, then every holding follow caught up;
   * then reports `restored` if `lost` was. One pass at a time (one more if asked meanwhile); a failed pass is tried
   * again after `RETRY_MS`.
   */
  #recover(): void {
    if (!this.#started || this.#closed) return;
    if (this.#recovering) {
      this.#recoverAgain = true;
      return;
    }
    this.#recovering = true;
    this.#recoverAgain = false;
    this.#recoverOnce().then(
      () => {
        this.#recovering = false;
        if (this.#recoverAgain) this.#recover();
      },
      () => {
        this.#recovering = false;
        if (this.#closed) return;
        clearTimeout(this.#timer);
        this.#timer = setTimeout(() => this.#recover(), RETRY_MS);
      },
    );
  }

  async #recoverOnce(): Promise<void> {
    if (this.#closed || !this.#client.isReady || !this.#subscriber.isReady) return;
    const epoch = this.#epoch;
    await this.#sync();
    for (const [topic, follow] of [...this.#follows]) {
      // A follow made during this pass, its channel not yet subscribed, waits for the next pass.
      if (follow.holding && this.#channels.has(this.#entries(topic))) await this.#catchUp(topic, follow, epoch);
    }
    const holding = [...this.#follows.values()].some((follow) => follow.holding);
    const back = epoch === this.#epoch && !holding && this.#client.isReady && this.#subscriber.isReady;
    if (back && this.#lost && !this.#closed) {
      this.#lost = false;
      this.#events?.status("restored", "Redis reachable again; subscriptions and follows are back");
    }
  }

  /**
   * Delivers what a follow missed, from the log, then the live entries it held meanwhile; reports a gap when the
   * log no longer holds what it missed. Its channel is subscribed already, so nothing falls between the two.
   */
  async #catchUp(topic: string, follow: Follow, epoch: number): Promise<void> {
    const current = () => !this.#closed && this.#follows.get(topic) === follow;
    if (follow.cursor === undefined) {
      const newest = await this.#newest(topic);
      follow.cursor ??= newest;
    }
    let reported = false;
    const gap = (detail: string) => {
      if (!reported && current()) this.#events?.gap(topic, detail);
      reported = true;
    };
    for (;;) {
      const cursor: string = follow.cursor ?? NOTHING;
      const snapshot = await this.#snapshot(topic, cursor, PAGE);
      if (!current()) return;
      const where = standing(cursor, snapshot);
      if (where === "missing") {
        if (cursor !== NOTHING) gap(`Redis no longer has the log after ${cursor} (it lost its data?)`);
        follow.cursor = NOTHING;
        break;
      }
      if (where === "ahead") {
        gap(`the log restarted before ${cursor} (Redis lost its data?)`);
        follow.cursor = NOTHING;
        continue;
      }
      if (where !== "contiguous") gap(`entries after ${cursor} were trimmed from the log before they were read`);
      const entries = snapshot.kind === "log" ? snapshot.entries : [];
      for (const entry of entries) this.#deliver(topic, follow, entry.position, entry.frame);
      if (entries.length < PAGE) break;
    }
    if (epoch !== this.#epoch || !current()) return;
    follow.holding = false;
    const held = follow.held;
    follow.held = [];
    for (const entry of held) this.#deliver(topic, follow, entry.position, entry.frame);
    for (const resolve of follow.inPlace.splice(0)) resolve();
  }
}

/** Reconnection delays: 50 ms, doubling, at most 1 s. */
function backoff(retries: number): number {
  return Math.min(50 * 2 ** retries, 1000);
}
