/**
 * The reference chat server in a process of its own, for benchmarks and load
 * tests, on whichever of Bun and Deno runs this, without the page. By default
 * without the per-client rate limit (the load is the point); with
 * `--limits default`, with the reference server's own limits but for the cap
 * on connections per address (every load client comes from 127.0.0.1),
 * printing a line `refusal <JSON>` for every client the room disconnects. Prints
 * "listening <port>". With `--redis <url>`, one of several instances sharing
 * the room through Redis, printing `redis lost|restored <stats JSON>` when
 * Redis goes away and comes back.
 *
 * With `--max-users N`, the room's `maxUsers`. On SIGUSR2 it collects its
 * garbage (where the engine allows: Deno with `--expose-gc`, Bun) and prints
 * `heap <JSON>`: the JavaScript heap in use, and the resident memory.
 *
 * Usage: chat_server.ts [--limits none|default] [--redis <url>] [--max-users N]
 */
import process from "node:process";
import { startReferenceServer } from "../chat/server.ts";
import { RedisBackend } from "../../src/chat/server/redis.ts";
import { option, parseOptions } from "../args.ts";

const options = parseOptions(process.argv.slice(2));
const limits = option(options, "limits", "none");
const redis = options.get("redis")?.at(-1);
const maxUsers = options.get("max-users")?.at(-1);
const backend = redis === undefined ? undefined : await RedisBackend.connect(redis, {
  onStatus: (status) => console.log(`redis ${status} ${JSON.stringify(backend?.stats)}`),
});
const server = await startReferenceServer({
  port: 0,
  page: false,
  room: {
    ...(backend && { backend }),
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
