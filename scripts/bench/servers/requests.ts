/**
 * typewire's typed server for the request/reply benchmark, on Bun or Deno,
 * on the runtime's own adapter. Prints "listening <port>".
 */
import { exitOnTerm } from "./common.ts";
import { startTypedRequests } from "./typed_requests.ts";

const listening = await startTypedRequests();
console.log(`listening ${listening.port}`);
exitOnTerm();
