/**
 * Run by tests/no_eval.test.ts under `--disallow-code-generation-from-strings`:
 * loads every generated module, decodes, encodes and dispatches, and reports
 * what happened as one line of JSON. It imports nothing that could hide a throw.
 */
import { chatProtocol } from "../../src/generated/chat.ts";
import { signalingProtocol } from "../../src/generated/signaling.ts";
import { shapesProtocol } from "../fixtures/generated/shapes.ts";

let evalRefused = false;
try {
  (0, eval)("1 + 1");
} catch {
  evalRefused = true;
}
let functionRefused = false;
try {
  new Function("return 1")();
} catch {
  functionRefused = true;
}

const results: Record<string, unknown> = { evalRefused, functionRefused };
const decoded = chatProtocol.server.decode('{"type":"userlist","users":["ada",null]}');
results.decoded = decoded.ok;
results.invalidPointer = (() => {
  const r = chatProtocol.server.decode('{"type":"userlist","users":[""]}');
  return r.ok ? null : r.error.kind === "invalid" ? r.error.pointer : r.error.kind;
})();
results.strictRefusesExtra = !chatProtocol.client.decodeStrict('{"type":"message","id":1,"text":"","date":0,"x":1}').ok;
const encoded = signalingProtocol.client.encode({
  type: "new-ice-candidate",
  target: "bob",
  candidate: { candidate: "candidate:1", sdpMid: "0", sdpMLineIndex: 0, usernameFragment: null },
});
results.encoded = encoded.ok ? encoded.frame : encoded.error.message;
results.shapes = shapesProtocol.server.encode({ type: "shape", where: [{ x: 1, y: 2 }], label: "ok" }).ok;
let dispatched = "";
if (decoded.ok) chatProtocol.server.dispatch({ userlist: (m) => (dispatched = m.users.join(",")) }, decoded.value);
results.dispatched = dispatched;
console.log(JSON.stringify(results));
