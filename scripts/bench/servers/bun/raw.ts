/**
 * The raw baseline on Bun for the server benchmarks: `Bun.serve`, subscribers
 * `ws.subscribe` the topic, and every frame from the publisher is published
 * as it is, already encoded (`server.publish`, Bun's native fan-out): no
 * parsing, no validation, no encoding. Prints "listening <port>".
 */
import { answerHttp, exitOnTerm, type Role, roleOf, TOPIC } from "../common.ts";

const server = Bun.serve<{ role: Role }>({
  hostname: "127.0.0.1",
  port: 0,
  fetch(request, bun) {
    if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") return answerHttp(request);
    if (bun.upgrade(request, { data: { role: roleOf(request.url) } })) return undefined;
    return new Response("WebSocket upgrade failed", { status: 400 });
  },
  websocket: {
    idleTimeout: 30,
    open(ws) {
      if (ws.data.role === "sub") ws.subscribe(TOPIC);
    },
    message(_ws, frame) {
      server.publish(TOPIC, frame);
    },
  },
});
console.log(`listening ${server.port}`);
exitOnTerm();
