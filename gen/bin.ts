#!/usr/bin/env node
/**
 * The `typewire` command of the generator's npm package, typewire-gen:
 * `npx typewire gen ...` runs the generator (see `cli.ts` for its options).
 *
 * @module
 */
import process from "node:process";
import { main } from "./cli.ts";

const [command, ...rest] = process.argv.slice(2);
if (command === "gen") {
  process.exitCode = await main(rest);
} else {
  process.stderr.write(
    "usage: typewire gen <schema>... --out <dir> | typewire gen [--config <file>]; see typewire gen --help\n",
  );
  process.exitCode = command === undefined || command === "--help" ? 0 : 2;
}
