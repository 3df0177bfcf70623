/**
 * A chat room's names shared by several server instances through Redis: Lua
 * scripts keep the names in use, the user list, the rename counter and the
 * client ids in one place. The frames and the instances' liveness are the
 * cluster's (`RedisBackplane`), on a connection of its own.
 *
 * @module
 */
import { createClient } from "redis";
import type { HeldName, NameClaim, NameStore, RestoredNames, UserList } from "./name_store.ts";
import { CLAIM, FORGET, RELEASE, RESTORE, TAKE_IDS } from "./redis_scripts.ts";
import { nameKeys } from "./names.ts";

/** The keys of the digits 0 to 9, for the names with digits appended in Redis (see `nameKeys`). */
const DIGIT_KEYS = [..."0123456789"].map((digit) => nameKeys(digit)[0] as string);

/** A name's two keys, as the scripts take them: the second empty when there is one; both empty without a name. */
function keysOf(name: string | undefined): [string, string] {
  const [first = "", second = ""] = name === undefined ? [] : nameKeys(name);
  return [first, second];
}

/** How an instance uses Redis for its room's names. */
export interface RedisNamesOptions {
  /** Instances with the same room share their clients. @default "chat" */
  readonly room?: string;
  /** How long the first connection may take before `connect` gives up, in ms. @default 5000 */
  readonly connectTimeoutMs?: number;
  /** Told when Redis becomes unreachable, and when it is back and the names restored. @default a line on the console */
  readonly onStatus?: (status: "lost" | "restored", detail: string) => void;
}

/** What happened to this instance's connection to Redis. */
export interface RedisNamesStats {
  /** Times the connection to Redis was lost. */
  disconnects: number;
  /** Times it came back and this instance's names were restored. */
  restores: number;
}

/** Client ids come from Redis in blocks of this many, so `nextId` never waits. */
const ID_BLOCK = 10_000;

/** After a restore that failed while Redis was reachable (it was still loading its data, say), the next try, in ms. */
const RETRY_RESTORE_MS = 500;

/** Commands wait for no reconnection: while Redis is away they fail at once, and the caller refuses the login. */
function newClient(url: string) {
  return createClient({
    url,
    disableOfflineQueue: true,
    socket: { reconnectStrategy: (retries: number) => Math.min(50 * 2 ** retries, 1000) },
  });
}

type Client = ReturnType<typeof newClient>;

/**
 * A room's names in Redis.
 *
 * While Redis is unreachable, logins are refused with 1011. When it is back,
 * it may have lost every key (restarted empty): each instance gives its
 * clients their names back (`onReconnect`; a client whose name someone else
 * took meanwhile is told to log in again) and publishes the user list.
 *
 * @example Two instances on one Redis
 * ```ts
 * import { ChatRoom } from "./room.ts";
 * import { RedisNames } from "./redis_names.ts";
 * import { Cluster } from "../../backplane/cluster.ts";
 * import { RedisBackplane } from "../../backplane/redis.ts";
 * const url = "redis://127.0.0.1:6379";
 * const room = new ChatRoom({ cluster: new Cluster(new RedisBackplane(url)), names: await RedisNames.connect(url) });
 * // ...serve the room; another process does the same with the same URL.
 * await room.dispose();
 * ```
 */
export class RedisNames implements NameStore {
  readonly room: string;
  /** What happened to the connection. */
  readonly stats: RedisNamesStats = { disconnects: 0, restores: 0 };
  readonly #client: Client;
  readonly #options: RedisNamesOptions;
  readonly #key: (name: string) => string;
  readonly #listeners = new Set<() => Promise<void>>();
  #ids = { next: 0, end: 0 };
  #spare: { next: number; end: number } | undefined;
  #fetchingIds = false;
  #highestId = 0;
  /** False until the first connection, and while Redis is away. */
  #reachable = false;
  #started = false;
  #restoring = false;
  #retry: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  private constructor(url: string, options: RedisNamesOptions) {
    this.#client = newClient(url);
    this.#options = options;
    this.room = options.room ?? "chat";
    this.#key = (name) => `typewire:names:{${this.room}}:${name}`;
  }

  /**
   * Connects to Redis.
   *
   * @param url `redis://host:port` (or `rediss:` for TLS).
   * @param options The room's name, the connection timeout, status reports.
   * @throws {Error} When Redis cannot be reached within `connectTimeoutMs`.
   */
  static async connect(url: string, options: RedisNamesOptions = {}): Promise<RedisNames> {
    const names = new RedisNames(url, options);
    try {
      await names.#start(url);
    } catch (error) {
      await names.close();
      throw error;
    }
    return names;
  }

  async #start(url: string): Promise<void> {
    let failure: Error | undefined;
    this.#client.on("error", (error: Error) => {
      failure = error;
      this.#lost(error.message);
    });
    this.#client.on("ready", () => this.#restore());
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
      await Promise.race([this.#client.connect(), late]);
      this.#reachable = true;
      this.#ids = await this.#takeIds();
    } finally {
      clearTimeout(timer);
    }
    this.#started = true;
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

  async claimName(instance: string, id: number, requested: string, previous: string | undefined): Promise<NameClaim> {
    const [name, version, users] = await this.#script(
      CLAIM,
      ["holders", "shown", "users", "counter", "order", "version", `held:${instance}`],
      [`${instance}/${id}`, requested, ...keysOf(requested), ...keysOf(previous), ...DIGIT_KEYS],
    ) as [string, number, string[]];
    return { name, version: Number(version), users };
  }

  async release(instance: string, id: number, name: string | undefined): Promise<UserList> {
    const [version, users] = await this.#script(
      RELEASE,
      ["holders", "shown", "users", "version", `held:${instance}`],
      [`${instance}/${id}`, ...keysOf(name)],
    ) as [number, string[]];
    return { version: Number(version), users };
  }

  async forget(instance: string): Promise<UserList> {
    const [version, users] = await this.#script(
      FORGET,
      ["holders", "shown", "users", "version", `held:${instance}`],
      [`${instance}/`],
    ) as [number, string[]];
    return { version: Number(version), users };
  }

  async restore(instance: string, clients: readonly HeldName[]): Promise<RestoredNames> {
    const [version, users, lost] = await this.#script(
      RESTORE,
      ["holders", "shown", "users", "order", "version", `held:${instance}`],
      [`${instance}/`, ...clients.flatMap(({ id, name }) => [String(id), name ?? "", ...keysOf(name)])],
    ) as [number, string[], string[]];
    return { version: Number(version), users, lost: lost.map(Number) };
  }

  onReconnect(listener: () => Promise<void>): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Disconnects: commands under way are answered first. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#retry);
    await this.#client.close().catch(() => {});
  }

  #lost(detail: string): void {
    if (!this.#started || !this.#reachable || this.#closed) return;
    this.#reachable = false;
    this.stats.disconnects++;
    this.#report("lost", `Redis unreachable: ${detail}`);
  }

  /** Redis is back, perhaps empty: every listener restores its instance's names, retried until it works. */
  #restore(): void {
    if (!this.#started || this.#reachable || this.#closed || this.#restoring || !this.#client.isReady) return;
    this.#restoring = true;
    Promise.all([...this.#listeners].map((listener) => listener())).then(
      () => {
        this.#reachable = true;
        this.stats.restores++;
        this.#report("restored", "Redis reachable again; names restored");
        if (this.#spare === undefined) this.#prefetchIds();
      },
      () => (this.#retry = setTimeout(() => this.#restore(), RETRY_RESTORE_MS)),
    ).finally(() => (this.#restoring = false));
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

  /** Runs a Lua script inside Redis (its EVAL command: nothing is compiled in this process). */
  #script(script: string, keys: readonly string[], args: readonly string[]): Promise<unknown> {
    return this.#client.EVAL(script, { keys: keys.map(this.#key), arguments: [...args] });
  }
}
