// The raw baseline on Node.js for the server fan-out benchmark: node:http and the `ws` package (typewire's Node
// adapter's own library); every frame from the publisher is sent as it is, already encoded, in a loop over the
// subscribed sockets: no parsing, no validation, no encoding.
// Usage: node scripts/bench/servers/node/raw.mjs   (prints "listening <port>")
import { createServer } from "node:http";
import { WebSocket, WebSocketServer } from "ws";

const subscribers = new Set();
const http = createServer((_request, response) => response.writeHead(404).end());
const wss = new WebSocketServer({ server: http, perMessageDeflate: false, clientTracking: false });
wss.on("connection", (ws, request) => {
  const role = new URL(request.url, "http://x").searchParams.get("role");
  if (role === "sub") subscribers.add(ws);
  ws.on("close", () => subscribers.delete(ws));
  ws.on("message", (data, isBinary) => {
    if (role !== "pub") return;
    for (const subscriber of subscribers) {
      if (subscriber.readyState === WebSocket.OPEN) subscriber.send(data, { binary: isBinary });
    }
  });
});
http.listen(0, "127.0.0.1", () => console.log(`listening ${http.address().port}`));
process.on("SIGTERM", () => process.exit(0));
