/**
 * typewire's typed server for the server benchmarks, on Bun or Deno: on the
 * runtime's own adapter (`--transport own`), or on crossws's adapter for the
 * runtime (`--transport crossws`, `./bun/crossws.ts` or `./deno/crossws.ts`).
 * Prints "listening <port>".
 *
 * Usage: typed.ts [--transport own|crossws]
 */
import process from "node:process";
import type { Serve } from "../../../src/server/contract.ts";
import { serverRuntime } from "../../../src/server/this_runtime.ts";
import { option, parseOptions } from "../../args.ts";
import { exitOnTerm } from "./common.ts";
import { startTypedFanout } from "./typed_fanout.ts";

const transport = option(parseOptions(process.argv.slice(2)), "transport", "own");
let serve: Serve | undefined;
if (transport === "crossws") {
  // Joined at run time so that neither type check follows the import into the other runtime's file.
  const module = await import(["./", serverRuntime(), "/crossws.ts"].join(""));
  serve = module.serve as Serve;
}
const listening = await startTypedFanout(serve);
console.log(`listening ${listening.port}`);
exitOnTerm();
