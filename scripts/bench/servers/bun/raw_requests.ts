/**
 * The raw baseline of the request/reply benchmark, on Bun: `Bun.serve` and
 * nothing of typewire. Each text frame is parsed with `JSON.parse`, and a
 * `list-members` request is answered with `JSON.stringify` of the same
 * members reply as typewire's typed server (`../typed_requests.ts`) and
 * Socket.IO's (`../socketio_requests.mjs`) send, the request's number copied
 * into it by hand. No validation, no limits. Prints "listening <port>".
 */
import { exitOnTerm } from "../common.ts";

/** The members every reply lists, the same three as the other servers'. */
const MEMBERS: readonly string[] = ["ada", "grace", "linus"];

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch(request, bun) {
    if (bun.upgrade(request)) return undefined;
    return new Response("WebSocket upgrade failed", { status: 400 });
  },
  websocket: {
    idleTimeout: 30,
    message(ws, frame) {
      if (typeof frame !== "string") return;
      const message = JSON.parse(frame) as { type?: unknown; request?: unknown };
      if (message.type === "list-members") {
        ws.send(JSON.stringify({ type: "members", request: message.request, names: [...MEMBERS] }));
      }
    },
  },
});
console.log(`listening ${server.port}`);
exitOnTerm();
