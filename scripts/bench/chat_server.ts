/**
 * The reference chat server in a process of its own, for benchmarks and load
 * tests, on whichever of Bun and Deno runs this, without the page. By default
 * without the per-client rate limit (the load is the point); with
 * `--limits default`, with the reference server's own limits but for the cap
 * on connections per address (every load client comes from 127.0.0.1),
 * printing a line `refusal <JSON>` for every client the room disconnects. Prints
 * "listening <port>". With `--redis <url>`, one of several instances sharing
 * the room through Redis (the cluster on `RedisBackplane`, the names in
 * `RedisNames`), printing `redis lost <stats JSON>` when the cluster loses
 * Redis and `redis restored <stats JSON>` once the cluster and the names are
 * both back (the names restored). The stats: `unpublished` (frames said while
 * Redis was away, delivered to nobody), `disconnects`, `restores`.
 *
 * With `--max-users N`, the room's `maxUsers`. On SIGUSR2 it collects its
 * garbage (where the engine allows: Deno with `--expose-gc`, Bun) and prints
 * `heap <JSON>`: the JavaScript heap in use, and the resident memory.
 *
 * Usage: chat_server.ts [--limits none|default] [--redis <url>] [--max-users N]
 */
import process from "node:process";
import { startReferenceServer } from "../chat/server.ts";
import { Cluster } from "../../src/backplane/cluster.ts";
import { RedisBackplane } from "../../src/backplane/redis.ts";
import { RedisNames } from "../../src/chat/server/redis_names.ts";
import { option, parseOptions } from "../args.ts";

const options = parseOptions(process.argv.slice(2));
const limits = option(options, "limits", "none");
const redis = options.get("redis")?.at(-1);
const maxUsers = options.get("max-users")?.at(-1);
/** Which of the two connections to Redis (the cluster's, the names') are down. */
const down = new Set<"cluster" | "names">();
const stats = () => ({
  unpublished: server.room.unpublished,
  disconnects: shared?.cluster.stats.disconnects,
  restores: shared?.names.stats.restores,
});
const changed = (part: "cluster" | "names", status: string) => {
  if (status === "lost") {
    down.add(part);
    // What is said from now on is counted as unpublished.
    if (part === "cluster") console.log(`redis lost ${JSON.stringify(stats())}`);
  } else if (status === "restored" && down.delete(part) && down.size === 0) {
    console.log(`redis restored ${JSON.stringify(stats())}`);
  }
};
const shared = redis === undefined ? undefined : {
  cluster: new Cluster(new RedisBackplane(redis), { onStatus: ({ kind }) => changed("cluster", kind) }),
  names: await RedisNames.connect(redis, { onStatus: (status) => changed("names", status) }),
};
const server = await startReferenceServer({
  port: 0,
  page: false,
  room: {
    ...shared,
    ...(maxUsers !== undefined && { maxUsers: Number(maxUsers) }),
    ...(limits === "default"
      ? {
        limits: { maxConnectionsPerAddress: Number.POSITIVE_INFINITY },
        onRefusal: (refusal) => console.log(`refusal ${JSON.stringify(refusal)}`),
      }
      : {
        limits: {
          framesPerSecond: 1e9,
          burst: 1e9,
          maxUnsentBytes: 64 * 1024 * 1024,
          maxConnectionsPerAddress: Number.POSITIVE_INFINITY,
        },
      }),
  },
});
console.log(`listening ${server.port}`);
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGUSR2", () => {
  (globalThis as { gc?: () => void }).gc?.();
  (globalThis as { Bun?: { gc(force: boolean): void } }).Bun?.gc(true);
  const { heapUsed, rss } = process.memoryUsage();
  console.log(`heap ${JSON.stringify({ heapUsed, rss })}`);
});
process.on("SIGINT", stop);
