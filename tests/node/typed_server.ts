/**
 * The scenario server of tests/support/typed_scenario.ts on typewire's
 * Node.js adapter, for tests/typed_server.test.ts: run on Node.js (bundled by
 * tests/support/node_server.ts) with the scenario as JSON in its first
 * argument, it prints `listening <url>`, then `event <json>` for everything
 * its hooks see.
 */
import process from "node:process";
import { serve } from "../../src/server/node/mod.ts";
import { type Scenario, startScenario } from "../support/typed_scenario.ts";

const scenario = JSON.parse(process.argv[2] ?? "{}") as Scenario;
const server = await startScenario(scenario, (event) => console.log(`event ${JSON.stringify(event)}`), serve);
console.log(`listening ${server.listening.url}`);
process.on("SIGTERM", async () => {
  await server.listening.stop();
  process.exit(0);
});
