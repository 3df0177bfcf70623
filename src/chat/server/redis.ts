/**
 * A chat room shared by several server instances through Redis: pub/sub
 * carries every frame to every instance, and Lua scripts keep the names in
 * use, the user list, the rename counter and the client ids in one place.
 *
 * @module
 */
import { createClient } from "redis";
import type { BackendEvents, NameClaim, Published, RoomBackend, UserList } from "./backend.ts";
import { CLAIM, HEARTBEAT, LEAVE, RELEASE, RESTORE, TAKE_IDS } from "./redis_scripts.ts";
import { nameKeys } from "./names.ts";

/** The keys of the digits 0 to 9, for the names with digits appended in Redis (see `nameKeys`). */
const DIGIT_KEYS = [..."0123456789"].map((digit) => nameKeys(digit)[0] as string);

/** A name's two keys, as the scripts take them: the second empty when there is one; both empty without a name. */
function keysOf(name: string | undefined): [string, string] {
  const [first = "", second = ""] = name === undefined ? [] : nameKeys(name);
  return [first, second];
}

/** How an instance uses Redis. */
export interface RedisBackendOptions {
  /** Instances with the same room share their clients. @default "chat" */
  readonly room?: string;
  /** How often this instance tells Redis it is alive, in ms. @default 1000 */
  readonly heartbeatMs?: number;
  /**
   * How long after its last heartbeat an instance counts as dead: its clients then leave every user list. A dead
   * instance's users are gone from the lists within `heartbeatMs + instanceTtlMs`. @default 3000
   */
  readonly instanceTtlMs?: number;
  /** How long the first connection may take before `connect` gives up, in ms. @default 5000 */
  readonly connectTimeoutMs?: number;
  /** Told when Redis becomes unreachable and when it is back. @default a line on the console */
  readonly onStatus?: (status: "lost" | "restored", detail: string) => void;
}

/** What an instance could not do while Redis was unreachable. */
export interface RedisBackendStats {
  /** Frames this instance could not hand to Redis: no client of any instance received them. */
  unpublished: number;
  /** Times the connection to Redis was lost. */
  disconnects: number;
  /** Times it came back and this instance's names were restored. */
  restores: number;
}

/** Client ids come from Redis in blocks of this many, so `nextId` never waits. */
const ID_BLOCK = 10_000;

type Reply = unknown;

/** Commands wait for no reconnection: while Redis is away they fail at once, and the caller counts the loss. */
function newClient(url: string) {
  return createClient({
    url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000) },
  });
}

type Client = ReturnType<typeof newClient>;

/**
 * The room's shared state in Redis.
 *
 * Every frame, this instance's own included, goes through one pub/sub channel,
 * so every instance delivers frames in the same order. While Redis is
 * unreachable, logins are refused with 1011 and frames cannot be published:
 * each is counted in `stats.unpublished`. When it is back, this instance gives
 * its clients their names back (a client whose name someone else took
 * meanwhile is told to log in again) and publishes the user list.
 *
 * @example Two instances on one Redis
 * ```ts
 * import { ChatRoom } from "./room.ts";
 * import { RedisBackend } from "./redis.ts";
 * const room = new ChatRoom({ backend: await RedisBackend.connect("redis://127.0.0.1:6379") });
 * // ...serve the room; another process does the same with the same URL.
 * await room.dispose();
 * ```
 */
export class RedisBackend implements RoomBackend {
  /** What was lost while Redis was unreachable. */
  readonly stats: RedisBackendStats = { unpublished: 0, disconnects: 0, restores: 0 };
  readonly #client: Client;
  readonly #subscriber: Client;
  readonly #options: RedisBackendOptions;
  readonly #instance = crypto.randomUUID();
  readonly #key: (name: string) => string;
  /** This instance's clients and the names they hold, to give back after an outage. */
  readonly #names = new Map<number, string>();
  #events: BackendEvents | undefined;
  #ids = { next: 0, end: 0 };
  #spare: { next: number; end: number } | undefined;
  #fetchingIds = false;
  #highestId = 0;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  /** Clients whose claim is under way: a restore keeps whatever name they hold. */
  readonly #claiming = new Set<number>();
  /** Claims and releases sent and not yet answered: `close` waits for them before leaving. */
  readonly #inflight = new Set<Promise<unknown>>();
  /** False until the first connection, and while Redis is away. */
  #reachable = false;
  #started = false;
  #restoring = false;
  #closed = false;

  private constructor(url: string, options: RedisBackendOptions) {
    this.#client = newClient(url);
    this.#subscriber = this.#client.duplicate();
    this.#options = options;
    const room = options.room ?? "chat";
    this.#key = (name) => `typewire:{${room}}:${name}`;
  }

  /**
   * Connects to Redis and joins the room.
   *
   * @param url `redis://host:port` (or `rediss:` for TLS).
   * @param options The room's name and the liveness timings.
   * @throws {Error} When Redis cannot be reached within `connectTimeoutMs`.
   */
  static async connect(url: string, options: RedisBackendOptions = {}): Promise<RedisBackend> {
    const backend = new RedisBackend(url, options);
    try {
      await backend.#start(url);
    } catch (error) {
      await backend.close();
      throw error;
    }
    return backend;
  }

  async #start(url: string): Promise<void> {
    let failure: Error | undefined;
    for (const connection of [this.#client, this.#subscriber]) {
      connection.on("error", (error: Error) => {
        failure = error;
        this.#lost(error.message);
      });
    }
    for (const connection of [this.#client, this.#subscriber]) connection.on("ready", () => this.#restored());
    const timeout = this.#options.connectTimeoutMs ?? 5000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new Error(`could not reach Redis at ${url} within ${timeout} ms: ${failure?.message ?? "no answer"}`)),
        timeout,
      );
    });
    try {
      await Promise.race([Promise.all([this.#client.connect(), this.#subscriber.connect()]), late]);
      await this.#subscriber.subscribe(this.#key("frames"), (envelope: string) => this.#hear(envelope));
      this.#reachable = true;
      this.#ids = await this.#takeIds();
      await this.#beat();
    } finally {
      clearTimeout(timer);
    }
    this.#started = true;
    this.#heartbeat = setInterval(() => this.#tick(), this.#options.heartbeatMs ?? 1000);
  }

  /**
   * Every heartbeat: say this instance is alive. After an outage, or when the others took it for dead (a stalled
   * process), give its clients their names back, retrying until it works.
   */
  #tick(): void {
    if (!this.#reachable) this.#restored();
    else this.#beat().then((reaped) => reaped && this.#restored(true), () => {});
  }

  nextId(): number {
    if (this.#ids.next >= this.#ids.end && this.#spare !== undefined) {
      [this.#ids, this.#spare] = [this.#spare, undefined];
    }
    if (this.#ids.next >= this.#ids.end) {
      throw new Error(`no client ids left: Redis has not answered for the next ${ID_BLOCK}`);
    }
    const id = this.#ids.next++;
    this.#highestId = Math.max(this.#highestId, id);
    if (this.#spare === undefined && this.#ids.end - this.#ids.next < ID_BLOCK / 2) this.#prefetchIds();
    return id;
  }

  claimName(id: number, requested: string, previous: string | undefined): Promise<NameClaim> {
    this.#claiming.add(id);
    const claim = this.#track(this.#claim(id, requested, previous));
    const done = () => this.#claiming.delete(id);
    claim.then(done, done);
    return claim;
  }

  async #claim(id: number, requested: string, previous: string | undefined): Promise<NameClaim> {
    const [name, version, users] = await this.#script(
      CLAIM,
      ["holders", "shown", "users", "counter", "order", "version", this.#held()],
      [this.#owner(id), requested, ...keysOf(requested), ...keysOf(previous), ...DIGIT_KEYS],
    ) as [string, number, string[]];
    this.#names.set(id, name);
    return { name, version: Number(version), users };
  }

  /** Forgets a client that left; if Redis cannot be reached, its name is dropped when this instance restores. */
  release(id: number, name: string | undefined): Promise<UserList> {
    this.#names.delete(id);
    return this.#track(this.#release(id, name));
  }

  async #release(id: number, name: string | undefined): Promise<UserList> {
    const [version, users] = await this.#script(RELEASE, ["holders", "shown", "users", "version", this.#held()], [
      this.#owner(id),
      ...keysOf(name),
    ]) as [number, string[]];
    return { version: Number(version), users };
  }

  publish({ frame, target, version }: Published): void {
    const envelope = `${version ?? ""},${target === undefined ? "" : target.length},${target ?? ""}${frame}`;
    if (!this.#reachable) {
      this.stats.unpublished++;
      return;
    }
    this.#client.publish(this.#key("frames"), envelope).catch(() => this.stats.unpublished++);
  }

  listen(events: BackendEvents): void {
    this.#events = events;
  }

  /**
   * Leaves the room: once the claims and releases under way are answered, every name this instance holds is
   * dropped at once (not after the liveness timeout) and the user list published.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#heartbeat);
    await Promise.allSettled(this.#inflight);
    if (this.#reachable && this.#client.isReady) {
      try {
        const keys = ["holders", "shown", "users", "version", this.#held(), "instances"];
        const [version, users] = await this.#script(LEAVE, keys, [
          `${this.#instance}/`,
          this.#instance,
        ]) as [number, string[]];
        this.#events?.usersChanged({ version: Number(version), users });
        // Commands go out in order: once PING is answered, that user list has been published.
        await this.#client.PING();
      } catch {
        // Unreachable now: the others drop this instance's names after the liveness timeout.
      }
    }
    await Promise.allSettled([this.#client.close(), this.#subscriber.close()]);
  }

  /** The frames channel: `version,targetLength,target` then the frame, as the codecs wrote it. */
  #hear(envelope: string): void {
    const first = envelope.indexOf(",");
    const second = envelope.indexOf(",", first + 1);
    if (first < 0 || second < 0) return;
    const version = envelope.slice(0, first);
    const targetLength = envelope.slice(first + 1, second);
    const targetEnd = second + 1 + Number(targetLength);
    const message: Published = {
      frame: envelope.slice(targetEnd),
      ...(version !== "" && { version: Number(version) }),
      ...(targetLength !== "" && { target: envelope.slice(second + 1, targetEnd) }),
    };
    this.#events?.deliver(message);
  }

  /** Says this instance is alive, and drops dead instances' users; resolves to whether this one was taken for dead. */
  async #beat(): Promise<boolean> {
    const ttl = this.#options.instanceTtlMs ?? 3000;
    const [reaped, version, users] = await this.#script(HEARTBEAT, [
      "instances",
      "holders",
      "shown",
      "users",
      "version",
    ], [
      this.#instance,
      String(ttl),
      this.#key("held:"),
    ]) as [number, number, string[]];
    if (Number(version) > 0) this.#events?.usersChanged({ version: Number(version), users });
    return Number(reaped) === 1;
  }

  #lost(detail: string): void {
    if (!this.#started || !this.#reachable || this.#closed) return;
    this.#reachable = false;
    this.stats.disconnects++;
    this.#report("lost", `Redis unreachable: ${detail}`);
  }

  /** Redis is back (both connections), or this instance was taken for dead: give its clients their names back. */
  #restored(force = false): void {
    if (!this.#started || (this.#reachable && !force) || this.#closed || this.#restoring) return;
    if (!this.#client.isReady || !this.#subscriber.isReady) return;
    this.#restoring = true;
    const why = force ? "taken for dead by the other instances (stalled?)" : "Redis reachable again";
    this.#restore().then(
      () => this.#report("restored", `${why}; names restored`),
      () => {},
    ).finally(() => (this.#restoring = false));
  }

  async #restore(): Promise<void> {
    await this.#beat();
    const clients = [
      ...[...this.#names].flatMap(([id, name]) => [String(id), name, ...keysOf(name)]),
      ...[...this.#claiming].flatMap((id) => [String(id), "", "", ""]),
    ];
    const keys = ["holders", "shown", "users", "order", "version", this.#held()];
    const [version, users, lost] = await this.#script(RESTORE, keys, [`${this.#instance}/`, ...clients]) as [
      number,
      string[],
      string[],
    ];
    this.#reachable = true;
    this.stats.restores++;
    if (lost.length > 0) this.#events?.namesLost(lost.map(Number));
    this.#events?.usersChanged({ version: Number(version), users });
    if (this.#spare === undefined) this.#prefetchIds();
  }

  #report(status: "lost" | "restored", detail: string): void {
    if (this.#options.onStatus) this.#options.onStatus(status, detail);
    else console.warn(`chat: ${detail}`);
  }

  #prefetchIds(): void {
    if (this.#fetchingIds || !this.#reachable) return;
    this.#fetchingIds = true;
    this.#takeIds().then((block) => (this.#spare = block), () => {}).finally(() => (this.#fetchingIds = false));
  }

  async #takeIds(): Promise<{ next: number; end: number }> {
    const floor = Math.max(this.#highestId, this.#ids.end);
    const first = Number(await this.#script(TAKE_IDS, ["ids"], [String(ID_BLOCK), String(floor)]));
    return { next: first, end: first + ID_BLOCK };
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#inflight.add(work);
    const done = () => this.#inflight.delete(work);
    work.then(done, done);
    return work;
  }

  #owner(id: number): string {
    return `${this.#instance}/${id}`;
  }

  #held(): string {
    return `held:${this.#instance}`;
  }

  /** Runs a Lua script inside Redis (its EVAL command: nothing is compiled in this process). */
  #script(script: string, keys: readonly string[], args: readonly string[]): Promise<Reply> {
    return this.#client.EVAL(script, { keys: keys.map(this.#key), arguments: [...args] });
  }
}
