/**
 * typewire's typed server for the request/reply benchmark on Node.js, on
 * typewire's Node adapter (`ws`). Bundled with esbuild, then run by `node`;
 * prints "listening <port>".
 */
import { serve } from "../../../../src/server/node/mod.ts";
import { exitOnTerm } from "../common.ts";
import { startTypedRequests } from "../typed_requests.ts";

const listening = await startTypedRequests(serve);
console.log(`listening ${listening.port}`);
exitOnTerm();
