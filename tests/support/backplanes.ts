/**
 * The engines every backplane test runs on: `ENGINES`, one entry per engine.
 * `tests/backplane_contract.test.ts` runs its whole suite on each entry; the
 * cluster tests run typed servers on each.
 *
 * To add an engine, append an entry: a `name`, whether it is `real` (a server
 * in another process), and `start()`, which starts what the engine needs (its
 * server on 127.0.0.1, a free port) and gives an `Engine`: `make(window)` for
 * each new instance, `stop()` to stop everything, and, for a real engine,
 * `outages` (the contract suite's outage tests need every one of them, and skip
 * engines that are not `real`). `start()` of an instance pointed where nothing
 * listens must reject within its connect timeout, with an Error whose message
 * says the timeout (`... within 500 ms: ...`).
 */
import { createClient } from "redis";
import type { Backplane, RecoveryWindow } from "../../src/backplane/backplane.ts";
import { MemoryHub } from "../../src/backplane/memory.ts";
import { RedisBackplane } from "../../src/backplane/redis.ts";
import { freePort, startRedis } from "../../scripts/bench/redis_server.ts";

export { freePort };
import { startNatsEngine } from "./nats_server.ts";

/** What a real engine's tests can do to its server. */
export interface Outages {
  /**
   * Cuts every instance's subscriber connection, the server staying up, and keeps new connections out (those
   * already made carry on, appends included) until the function it resolves to is called; instances then reconnect
   * by themselves.
   */
  cut(): Promise<() => Promise<void>>;
  /** Restarts the server, keeping its data (persistence); resolves once it answers again. */
  restart(): Promise<void>;
  /** Restarts the server with its data lost (as after a crash without persistence); resolves once it answers. */
  wipe(): Promise<void>;
  /** A new instance pointed at an address where nothing listens, that gives up after `connectTimeoutMs`. */
  unreachable(connectTimeoutMs: number): Promise<Backplane>;
}

/** An engine started for a test. */
export interface Engine {
  /**
   * A new instance (not started); every instance made with the same window shares topics.
   *
   * @param window How long its logs keep entries. @default DEFAULT_RECOVERY_WINDOW
   */
  make(window?: Partial<RecoveryWindow>): Backplane;
  /** Outages the tests can cause: real engines only. */
  readonly outages?: Outages;
  /** Stops the server, if any (instances still open are cut off). */
  stop(): Promise<void>;
}

/** One engine the tests run on. */
export interface EngineUnderTest {
  readonly name: string;
  /** A server in another process: its `Engine` has `outages`. */
  readonly real: boolean;
  start(): Promise<Engine>;
}

/** In one process: a hub per window, so that instances made with the same window share topics. */
function startMemory(): Promise<Engine> {
  const hubs = new Map<string, MemoryHub>();
  return Promise.resolve({
    make(window = {}) {
      const key = JSON.stringify([window.maxMessages, window.maxAgeMs]);
      let hub = hubs.get(key);
      if (hub === undefined) hubs.set(key, hub = new MemoryHub(window));
      return hub.backplane();
    },
    stop: () => Promise.resolve(),
  });
}

/** A connection of the test's own, that does not reconnect. */
function newAdmin(url: string) {
  const client = createClient({ url, socket: { reconnectStrategy: false } });
  client.on("error", () => {});
  return client;
}

type Admin = ReturnType<typeof newAdmin>;

/** Debian's redis-server, with an append-only file so that `restart` keeps the data. */
async function startRedisEngine(): Promise<Engine> {
  const redis = await startRedis({ appendOnly: true });
  const admins = new Set<Admin>();
  const admin = async () => {
    const client = newAdmin(redis.url);
    admins.add(client);
    await client.connect();
    return client;
  };
  const command = async (args: string[]) => {
    const client = await admin();
    await client.sendCommand(args);
    client.destroy();
  };
  const restart = async () => {
    await redis.stop();
    await redis.start();
  };
  return {
    make: (window) => new RedisBackplane(redis.url, window === undefined ? {} : { window }),
    outages: {
      async cut() {
        // Connections made already stay authenticated when the default user is turned off; new ones are refused.
        const client = await admin();
        await client.sendCommand(["ACL", "SETUSER", "default", "off"]);
        await client.sendCommand(["CLIENT", "KILL", "TYPE", "pubsub"]);
        return async () => {
          await client.sendCommand(["ACL", "SETUSER", "default", "on"]);
          client.destroy();
        };
      },
      restart,
      wipe: async () => {
        await command(["FLUSHALL"]);
        await restart();
      },
      unreachable: async (connectTimeoutMs) =>
        new RedisBackplane(`redis://127.0.0.1:${await freePort()}`, { connectTimeoutMs }),
    },
    stop: async () => {
      for (const client of admins) client.destroy();
      await redis.remove();
    },
  };
}

/** Every engine, in the order the tests run them. */
export const ENGINES: readonly EngineUnderTest[] = [
  { name: "memory", real: false, start: startMemory },
  { name: "redis", real: true, start: startRedisEngine },
  { name: "nats", real: true, start: startNatsEngine },
];
