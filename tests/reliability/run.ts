/**
 * Runs one reliability scenario on this runtime and prints its figures as
 * one line of JSON; `npm run soak` starts it once per scenario and runtime.
 *
 * Usage: run.ts --scenario restarts|half-open|load|slow-reader|codec-fuzz|server-fuzz|page|attacks --size ci|full [--seed N]
 */
import process from "node:process";
import { option, parseOptions } from "../../scripts/args.ts";
import { runHalfOpen, runRestarts } from "./faults.ts";
import { fuzzCodecs, fuzzServer } from "./fuzz.ts";
import { runLoad, runSlowReader } from "./load.ts";
import { runPageScripts } from "./page.ts";
import { runAttacks } from "./attacks.ts";
import { SIZES } from "./sizes.ts";

const options = parseOptions(process.argv.slice(2));
const size = SIZES[option(options, "size", "ci") as "ci" | "full"];
const seed = Number(option(options, "seed", "1"));
const scenarios: Record<string, () => unknown> = {
  "restarts": () => runRestarts(size.restarts),
  "half-open": () => runHalfOpen(size.halfOpen),
  "load": () => runLoad(size.load),
  "slow-reader": () => runSlowReader(size.slowReader),
  "codec-fuzz": () => fuzzCodecs(size.codecFrames, seed),
  "server-fuzz": () => fuzzServer({ ...size.serverFuzz, seed }),
  "page": () => runPageScripts(),
  "attacks": () => runAttacks(size.attacks),
};
const scenario = scenarios[option(options, "scenario", "")];
if (scenario === undefined) {
  console.error(`--scenario must be one of: ${Object.keys(scenarios).join(", ")}`);
  process.exit(2);
}
console.log(JSON.stringify(await scenario()));
process.exit(0);
