/**
 * The reference chat server for benchmarks: the same room, on whichever of
 * Bun and Deno runs this, without the per-client rate limit (the load is the
 * point) and without the page. Prints "listening <port>".
 */
import process from "node:process";
import { startReferenceServer } from "../chat/server.ts";

const server = await startReferenceServer({
  port: 0,
  page: false,
  room: { framesPerSecond: 1e9, burst: 1e9, maxUnsentBytes: 64 * 1024 * 1024 },
});
console.log(`listening ${server.port}`);
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
