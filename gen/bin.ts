#!/usr/bin/env node
/**
 * The `typewire` command of the generator's npm package, typewire-gen:
 * `npx typewire gen ...` runs the generator (see `cli.ts` for its options).
 *
 * @module
 */
import process from "node:process";
import { main } from "./cli.ts";
import { VERSION } from "./version.ts";
import { didYouMean } from "./closest.ts";

const USAGE = `typewire ${VERSION}: typed, validated, eval-free WebSocket protocols

Usage:
  typewire gen <schema>... --out <dir>     generate one module per schema
  typewire gen [--config <file>]           generate every protocol of typewire.config.json
  typewire gen --help                      the generator's inputs and options
  typewire --version                       this version
`;

const [command, ...rest] = process.argv.slice(2);
if (command === "gen") {
  process.exitCode = await main(rest);
} else if (command === "--version" || command === "-V") {
  process.stdout.write(`typewire ${VERSION}\n`);
} else if (command === undefined || command === "--help" || command === "-h" || command === "help") {
  process.stdout.write(USAGE);
} else {
  process.stderr.write(
    `typewire: unknown command ${JSON.stringify(command)}${didYouMean(command, ["gen"])}\n\n${USAGE}`,
  );
  process.exitCode = 2;
}
