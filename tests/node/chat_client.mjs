// Run by tests/runtimes.test.ts on Node.js, against the built package (dist/): logs in to the
// chat server given as the first argument, says a line, waits for it to come back, and prints
// the outcome as one line of JSON. With --inject-ws, the WebSocket comes from the `ws` package.
import { ChatSession } from "../../dist/src/chat/mod.js";
import { nextMessage } from "../../dist/src/mod.js";

const [url, mode] = process.argv.slice(2);
const options = { name: `node-${process.version}`, reconnect: false };
if (mode === "--inject-ws") {
  const { WebSocket } = await import("ws");
  options.WebSocket = WebSocket;
}
const chat = new ChatSession(url, options);
const timer = setTimeout(() => {
  console.log(JSON.stringify({ error: "timed out" }));
  process.exit(1);
}, 20_000);
await chat.loggedIn();
const line = nextMessage(chat.client, "message", { filter: (m) => m.id === chat.id });
chat.say(`hello from Node.js ${process.version}`);
const echoed = await line;
const outcome = {
  name: chat.name,
  text: echoed.text,
  protocol: chat.client.protocol,
  globalWebSocket: typeof WebSocket,
};
const closing = Date.now();
await chat.close();
clearTimeout(timer);
console.log(JSON.stringify({ ...outcome, closeMs: Date.now() - closing }));
