/**
 * A script that ends with `await client.close()`, for the test that the
 * process then exits at once (the client holds no timer once closed).
 * Prints "closed" when `close()` resolves; the test times the exit from there.
 *
 * Usage: close_then_exit.ts <url> open|reconnecting|handshake
 */
import process from "node:process";
import { connect } from "../../src/client/mod.ts";
import { echoProtocol } from "../fixtures/generated/echo.ts";

const [url = "", mode = "open"] = process.argv.slice(2);
const client = connect(echoProtocol, url, {
  reconnect: { minDelay: 60_000, maxDelay: 60_000 },
  // A hook that never ends: closing must not wait for it, nor for its 10 s timeout.
  ...(mode === "handshake" && { handshake: () => new Promise<void>(() => {}) }),
});
await new Promise<void>((resolve) => {
  if (mode === "reconnecting") client.onEvent("reconnecting", () => resolve(), { once: true });
  else if (mode === "handshake") setTimeout(resolve, 200);
  else client.onEvent("open", () => resolve(), { once: true });
});
if (mode === "open") client.send({ type: "say", seq: 1, text: "last words" });
await client.close();
console.log("closed");
