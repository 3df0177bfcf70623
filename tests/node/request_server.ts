/**
 * A request server of tests/support/request_servers.ts on typewire's Node.js
 * adapter, for tests/requests.test.ts: run on Node.js (bundled by
 * tests/support/node_server.ts) with the scenario as JSON in its first
 * argument, it prints `listening <url>`.
 */
import process from "node:process";
import { serve } from "../../src/server/node/mod.ts";
import { type RequestScenario, startRequestServer } from "../support/request_servers.ts";

const listening = await startRequestServer(JSON.parse(process.argv[2] ?? "{}") as RequestScenario, serve);
console.log(`listening ${listening.url}`);
process.on("SIGTERM", async () => {
  await listening.stop();
  process.exit(0);
});
