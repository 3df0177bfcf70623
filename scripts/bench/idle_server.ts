/**
 * A server that accepts WebSocket connections and does nothing else, for the
 * memory benchmark (a chat room would send user lists to every client when
 * thousands leave at once). Prints "listening <port>".
 */
import process from "node:process";
import { loadServe } from "../../src/server/this_runtime.ts";

const serve = await loadServe();
const server = await serve({ port: 0, selectProtocol: (offered) => offered.find((p) => p === "json") }, {
  message: () => {},
});
console.log(`listening ${server.port}`);
process.on("SIGTERM", () => process.exit(0));
