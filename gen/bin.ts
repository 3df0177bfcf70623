#!/usr/bin/env node
/**
 * The `typewire` command of the generator's npm package, typewire-gen:
 * `npx typewire gen ...` runs the generator (see `cli.ts` for its options),
 * `typewire diff` compares two versions of a protocol (`diff/cli.ts`),
 * `typewire connect` is a typed terminal client (`connect/main.ts`).
 *
 * @module
 */
import process from "node:process";
import { VERSION } from "./version.ts";
import { didYouMean } from "./closest.ts";

const USAGE = `typewire ${VERSION}: typed, validated, eval-free WebSocket protocols

Usage:
  typewire gen <schema>... --out <dir>     generate one module per schema
  typewire gen [--config <file>]           generate every protocol of typewire.config.json
  typewire gen --help                      the generator's inputs and options
  typewire connect <url> --protocol <mod>  a typed terminal client (typewire connect --help)
  typewire diff <old> <new>                what breaks between two schema versions
  typewire diff --against <revision>       the same, against git (typewire diff --help)
  typewire --version                       this version
`;

const [command, ...rest] = process.argv.slice(2);
// Each command is loaded when asked for: connect starts without the compilers, gen without the client.
if (command === "gen") {
  process.exitCode = await (await import("./cli.ts")).main(rest);
} else if (command === "connect") {
  process.exitCode = await (await import("./connect/main.ts")).connectMain(rest);
} else if (command === "diff") {
  process.exitCode = await (await import("./diff/cli.ts")).main(rest);
} else if (command === "--version" || command === "-V") {
  process.stdout.write(`typewire ${VERSION}\n`);
} else if (command === undefined || command === "--help" || command === "-h" || command === "help") {
  process.stdout.write(USAGE);
} else {
  process.stderr.write(
    `typewire: unknown command ${JSON.stringify(command)}${
      didYouMean(command, ["gen", "connect", "diff"])
    }\n\n${USAGE}`,
  );
  process.exitCode = 2;
}
