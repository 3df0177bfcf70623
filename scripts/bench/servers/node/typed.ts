/**
 * typewire's typed server for the server fan-out benchmark on Node.js, on
 * typewire's Node adapter (`ws`). Bundled with esbuild, then run by `node`;
 * prints "listening <port>".
 */
import { serve } from "../../../../src/server/node/mod.ts";
import { exitOnTerm } from "../common.ts";
import { startTypedFanout } from "../typed_fanout.ts";

const listening = await startTypedFanout(serve);
console.log(`listening ${listening.port}`);
exitOnTerm();
