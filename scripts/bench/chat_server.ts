/**
 * The reference chat server in a process of its own, for benchmarks and load
 * tests, on whichever of Bun and Deno runs this, without the page. By default
 * without the per-client rate limit (the load is the point); with
 * `--limits default`, with the reference server's own limits, printing a line
 * `refusal <JSON>` for every client the room disconnects. Prints
 * "listening <port>".
 *
 * Usage: chat_server.ts [--limits none|default]
 */
import process from "node:process";
import { startReferenceServer } from "../chat/server.ts";
import { option, parseOptions } from "../args.ts";

const limits = option(parseOptions(process.argv.slice(2)), "limits", "none");
const server = await startReferenceServer({
  port: 0,
  page: false,
  room: limits === "default"
    ? { onRefusal: (refusal) => console.log(`refusal ${JSON.stringify(refusal)}`) }
    : { framesPerSecond: 1e9, burst: 1e9, maxUnsentBytes: 64 * 1024 * 1024 },
});
console.log(`listening ${server.port}`);
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
