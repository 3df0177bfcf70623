/**
 * The reference chat server in a process of its own, for benchmarks and load
 * tests, on whichever of Bun and Deno runs this, without the page. By default
 * without the per-client rate limit (the load is the point); with
 * `--limits default`, with the reference server's own limits, printing a line
 * `refusal <JSON>` for every client the room disconnects. Prints
 * "listening <port>". With `--redis <url>`, one of several instances sharing
 * the room through Redis, printing `redis lost|restored <stats JSON>` when
 * Redis goes away and comes back.
 *
 * Usage: chat_server.ts [--limits none|default] [--redis <url>]
 */
import process from "node:process";
import { startReferenceServer } from "../chat/server.ts";
import { RedisBackend } from "../../src/chat/server/redis.ts";
import { option, parseOptions } from "../args.ts";

const options = parseOptions(process.argv.slice(2));
const limits = option(options, "limits", "none");
const redis = options.get("redis")?.at(-1);
const backend = redis === undefined ? undefined : await RedisBackend.connect(redis, {
  onStatus: (status) => console.log(`redis ${status} ${JSON.stringify(backend?.stats)}`),
});
const server = await startReferenceServer({
  port: 0,
  page: false,
  room: {
    ...(backend && { backend }),
    ...(limits === "default"
      ? { onRefusal: (refusal) => console.log(`refusal ${JSON.stringify(refusal)}`) }
      : { limits: { framesPerSecond: 1e9, burst: 1e9, maxUnsentBytes: 64 * 1024 * 1024 } }),
  },
});
console.log(`listening ${server.port}`);
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
