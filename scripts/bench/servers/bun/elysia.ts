/**
 * Elysia's `ws()` on Bun for the server fan-out benchmark: the publisher's
 * message is parsed and checked against its `body` schema, and published to
 * the topic as an echo message object through `ws.publish`, which checks it
 * against the `response` schema, encodes it once with `JSON.stringify` and
 * hands it to Bun's native publish. Prints "listening <port>".
 */
import { Elysia, t } from "elysia";
import { exitOnTerm, roleOf, TOPIC } from "../common.ts";

const seq = t.Integer({ minimum: 0 });
const text = t.String({ maxLength: 2_000_000 });
const app = new Elysia().ws("/", {
  body: t.Object({ type: t.Literal("say"), seq, text }),
  response: t.Object({ type: t.Literal("echo"), seq, text }),
  idleTimeout: 30,
  open(ws) {
    if (roleOf(ws.data.request.url) === "sub") ws.subscribe(TOPIC);
  },
  message(ws, message) {
    ws.publish(TOPIC, { type: "echo", seq: message.seq, text: message.text });
  },
}).listen({ hostname: "127.0.0.1", port: 0 });
console.log(`listening ${app.server?.port}`);
exitOnTerm();
